import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Consoles of a test file's own, for settings the shared console of the other tests does not have: the binary the
// test command built, on a port of the file's own, with a fresh data directory (its own sandbox), removed after.
const BINARY = process.env.E2E_CONSOLE_BIN ?? join(process.env.CARGO_TARGET_DIR ?? "../target", "debug", "bi-console");

export type Console = { child: ChildProcess; dir: string };

/// Starts a console on `port` with `settings` and waits until it answers.
export async function startConsole(port: number, settings: NodeJS.ProcessEnv): Promise<Console> {
  const dir = mkdtempSync(join(tmpdir(), "bi-console-e2e-"));
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CONSOLE_DATABASE_URL;
  const child = spawn(BINARY, [], {
    cwd: "..",
    stdio: "ignore",
    env: {
      ...env,
      ...settings,
      CONSOLE_DATA_DIR: dir,
      LEPTOS_OUTPUT_NAME: "bi-console",
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_SITE_PKG_DIR: "pkg",
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      // As the build named its files (by their content), from the hash file next to the binary.
      LEPTOS_HASH_FILES: "true",
      LEPTOS_HASH_FILE_NAME: "hash.txt",
    },
  });
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/login`)).ok) return { child, dir };
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`a console of the tests' own (${BINARY}) did not start on port ${port}`);
}

/// Stops a console and removes its data directory.
export async function stopConsole(c: Console | undefined) {
  if (!c) return;
  const exited = new Promise((r) => c.child.once("exit", r));
  c.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  rmSync(c.dir, { recursive: true, force: true });
}
