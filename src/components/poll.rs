//! Following work that runs elsewhere (an index being made, a batch of invitations at BI): while `active` is true
//! and the wasm runs, `tick` is called every `every`; it stops when `active` turns false or the view goes away.
//! Before the wasm loads, pages say how to see the progress (a plain link that reloads).

use std::time::Duration;

use leptos::leptos_dom::helpers::{set_interval_with_handle, IntervalHandle};
use leptos::prelude::*;

pub fn poll_while(active: Signal<bool>, every: Duration, tick: impl Fn() + Clone + 'static) {
    let handle: StoredValue<Option<IntervalHandle>> = StoredValue::new(None);
    Effect::new(move |_| match (active.get(), handle.get_value()) {
        (true, None) => handle.set_value(set_interval_with_handle(tick.clone(), every).ok()),
        (false, Some(h)) => {
            h.clear();
            handle.set_value(None);
        }
        _ => {}
    });
    on_cleanup(move || {
        if let Some(Some(h)) = handle.try_get_value() {
            h.clear();
        }
    });
}
