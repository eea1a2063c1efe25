/**
 * A 1x1 PNG as base64 (no data: header): the smallest real image the media tests send.
 *
 * @example image_url: { url: `data:image/png;base64,${ONE_PIXEL_PNG}` }
 */
export const ONE_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
