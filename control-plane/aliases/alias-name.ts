/** What an alias name may look like: what callers put in `model`, so short and URL-safe. */
export const ALIAS_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
