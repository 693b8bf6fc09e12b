// A nested npm must not inherit the outer npm's run. Under `npm test` or `npm start`, npm exports its whole
// configuration as `npm_config_*` (and the script's context as `npm_*`): the inner npm reads them as its own config,
// and install scripts read them too. code-server's postinstall, for one, takes the Node major from
// `npm_config_user_agent`, which still names the outer Node; npm also exports `NODE`, the outer Node's binary. So every
// nested install starts from this environment.

/**
 * `process.env` (or `base`) without any `npm_config_*` or `npm_*` variable (case-insensitive, as npm reads them)
 * and without `NODE`, with `extra` on top: the variables a caller sets on purpose, such as node-gyp's `npm_config_nodedir`.
 * @param {Record<string, string | undefined>} [extra]
 * @param {NodeJS.ProcessEnv} [base]
 * @returns {NodeJS.ProcessEnv}
 */
export function cleanNpmEnv(extra = {}, base = process.env) {
  const env = {};
  for (const [key, value] of Object.entries(base)) {
    if (!/^npm_/i.test(key) && key !== 'NODE') env[key] = value;
  }
  return { ...env, ...extra };
}
