/** Region names appear in URLs and snapshot payloads: lower case, short. */
export const REGION_NAME_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;
