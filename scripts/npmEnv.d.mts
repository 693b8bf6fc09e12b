export function cleanNpmEnv(extra?: Record<string, string | undefined>, base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
