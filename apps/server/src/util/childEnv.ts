/**
 * Variables a helper process (the app browser, its X server, the video sender) is given from
 * the server's environment: what a program needs to find its files, fonts, plugins and locale.
 * Nothing else — above all none of the server's secrets (OFFLOAD_AUTH_SECRET, OFFLOAD_API_KEY,
 * cloud credentials…): the app browser runs pages nobody here wrote.
 */
const PASSED =
  /^(PATH|HOME|USER|LOGNAME|SHELL|TERM|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR|XDG_[A-Z_]+|FONTCONFIG_[A-Z_]+|GST_[A-Z0-9_]+|GIO_[A-Z_]+|LD_LIBRARY_PATH|PYTHON[A-Z_]*)$/;

/** The server's environment reduced to PASSED, plus `extra`. */
export function childEnv(
  extra: Record<string, string> = {},
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && PASSED.test(k)) out[k] = v;
  return { ...out, ...extra };
}
