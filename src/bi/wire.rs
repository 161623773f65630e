//! Request and response bodies of BI's Management API v1, shared by the client and the sandbox so both speak
//! exactly the same JSON.

use serde::{Deserialize, Serialize};

use crate::model::{
    AuthenticatorConfig, Credential, CredentialBindingJob, Group, Identity, Realm, Traits,
};

/// BI's error body: `{"code","message","details":[…]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

/// One entry of `details`: `FieldViolations`, `ResourceInfo` or `BatchOperationErrors`. One tolerant struct rather
/// than an enum, so a detail type BI adds later still decodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field_violations: Vec<FieldViolation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<BatchOperationError>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldViolation {
    pub field: String,
    pub description: String,
}

/// An entry of a `BatchOperationErrors` detail (BI spells these keys in Pascal case).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchOperationError {
    #[serde(rename = "Description", default)]
    pub description: String,
    #[serde(rename = "IDs", default)]
    pub ids: Vec<String>,
    #[serde(rename = "ResourceType", default)]
    pub resource_type: String,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ErrorBody {
            code: code.to_string(),
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn field_violations(&self) -> impl Iterator<Item = &FieldViolation> {
        self.details.iter().flat_map(|d| d.field_violations.iter())
    }

    /// The ids a `BatchOperationErrors` detail names.
    pub fn failed_ids(&self) -> Vec<String> {
        self.details
            .iter()
            .flat_map(|d| d.errors.iter())
            .flat_map(|e| e.ids.iter().cloned())
            .collect()
    }
}

/// Body of create and update calls for identities: `{"identity": {...}}`. Fields left `None` are not sent, which
/// is what PATCH needs ("fields that are omitted from the request body will be left unchanged").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityWrite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traits: Option<Traits>,
}

impl IdentityWrite {
    /// A PATCH that changes only the status: `suspended`, or `active` again.
    pub fn status_change(suspend: bool) -> IdentityWrite {
        IdentityWrite {
            status: Some(
                if suspend {
                    crate::model::STATUS_SUSPENDED
                } else {
                    crate::model::STATUS_ACTIVE
                }
                .to_string(),
            ),
            ..IdentityWrite::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityEnvelope<T> {
    pub identity: T,
}

/// Body of create and update calls for groups: `{"group": {...}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupWrite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupEnvelope<T> {
    pub group: T,
}

/// `:addMembers` / `:deleteMembers` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersRequest {
    pub identity_ids: Vec<String>,
}

/// `:batchDelete` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchDeleteRequest {
    pub ids: Vec<String>,
}

/// The client-credentials token answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub token_type: String,
    #[serde(default)]
    pub expires_in: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// One page of a BI list answer, whatever the item type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BiPage<T> {
    pub items: Vec<T>,
    pub total_size: u64,
    pub next_page_token: Option<String>,
}

impl<T> BiPage<T> {
    /// This answer as page number `page` of `size` rows, as the console shows it.
    pub fn numbered(self, page: u32, size: u32) -> crate::model::PageView<T> {
        crate::model::PageView {
            items: self.items,
            total: self.total_size,
            page,
            size,
        }
    }
}

macro_rules! list_response {
    ($name:ident, $field:ident, $item:ty) => {
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            #[serde(default)]
            pub $field: Vec<$item>,
            #[serde(default)]
            pub total_size: u64,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub next_page_token: Option<String>,
        }

        impl From<$name> for BiPage<$item> {
            fn from(r: $name) -> BiPage<$item> {
                BiPage {
                    items: r.$field,
                    total_size: r.total_size,
                    next_page_token: r.next_page_token,
                }
            }
        }

        impl From<BiPage<$item>> for $name {
            fn from(p: BiPage<$item>) -> $name {
                $name {
                    $field: p.items,
                    total_size: p.total_size,
                    next_page_token: p.next_page_token,
                }
            }
        }
    };
}

list_response!(ListRealmsResponse, realms, Realm);
list_response!(ListIdentitiesResponse, identities, Identity);
list_response!(ListGroupsResponse, groups, Group);
list_response!(
    ListAuthenticatorConfigsResponse,
    authenticator_configs,
    AuthenticatorConfig
);
list_response!(ListCredentialsResponse, credentials, Credential);
list_response!(
    ListCredentialBindingJobsResponse,
    credential_binding_jobs,
    CredentialBindingJob
);

/// What a new credential binding job asks for: how the link is delivered, and with which authenticator.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobWrite {
    pub delivery_method: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub authenticator_config_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_binding_redirect_uri: Option<String>,
}

/// Body of CreateCredentialBindingJob: `{"job": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobEnvelope {
    pub job: JobWrite,
}

/// Answer of CreateCredentialBindingJob; the link only for `RETURN` delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedJob {
    pub credential_binding_job: CredentialBindingJob,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_binding_link: Option<String>,
}

/// The template of a batch's jobs (delivery is always by email).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobTemplate {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub authenticator_config_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_binding_redirect_uri: Option<String>,
}

/// A batch credential binding job, as sent (ids and template) and as answered (state and per-identity errors).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchJob {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tenant_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub realm_id: String,
    pub identity_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_commentary: Option<BatchCommentary>,
    pub job_template: JobTemplate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

/// Per-identity errors of a batch, by identity id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCommentary {
    #[serde(default)]
    pub errors: std::collections::BTreeMap<String, BatchIdentityError>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchIdentityError {
    pub last_error: String,
    #[serde(default)]
    pub failed_permanently: bool,
}

/// Body of CreateBatchCredentialBindingJob.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchJobEnvelope {
    pub batch_credential_binding_job: BatchJob,
}

/// The query of every list call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip: Option<u64>,
}

impl ListQuery {
    /// The page numbered `page` (1-based) of `size` rows: `skip` + `page_size`, one call.
    pub fn numbered(page: u32, size: u32) -> ListQuery {
        ListQuery {
            page_size: Some(size),
            skip: Some(u64::from(page.max(1) - 1) * u64::from(size)),
            ..ListQuery::default()
        }
    }

    pub fn with_filter(mut self, filter: Option<String>) -> ListQuery {
        self.filter = filter;
        self
    }

    /// The first page of a whole list: BI's largest pages (200), followed by their page tokens.
    pub fn whole_list() -> ListQuery {
        ListQuery {
            page_size: Some(crate::model::MAX_PAGE_SIZE),
            ..ListQuery::default()
        }
    }

    /// Moves on to the page after one that answered `token` (BI's `next_page_token`) and was `empty` or not;
    /// false when there is none (no token, an empty token, or an empty page: the end of the list).
    pub fn follow(&mut self, token: Option<String>, empty: bool) -> bool {
        match token {
            Some(t) if !t.is_empty() && !empty => {
                self.page_token = Some(t);
                true
            }
            _ => false,
        }
    }
}

/// Answer of ListBatchCredentialBindingJobResults: one page of the batch's jobs, and its counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResults {
    #[serde(default)]
    pub job_results: Vec<CredentialBindingJob>,
    #[serde(default)]
    pub total_success_count: u64,
    #[serde(default)]
    pub total_failure_count: u64,
    #[serde(default)]
    pub total_pending_count: u64,
    #[serde(default)]
    pub total_size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}
