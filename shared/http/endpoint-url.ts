/**
 * The URL of one of the control plane's endpoints (`path`, from shared/internal-api.ts or lease-wire.ts)
 * under CONTROL_PLANE_URL, keeping that URL's own path: a control plane behind an ingress at
 * https://api.example.com/gw is asked at https://api.example.com/gw/internal/v1/…. `new URL(path, base)`
 * drops the base's path (an absolute path replaces it), so every caller joins through here. The base
 * holds no query or fragment (region-proxy/config.ts refuses one).
 *
 * @example endpointUrl("https://api.example.com/gw/", "/internal/v1/leases") // "https://api.example.com/gw/internal/v1/leases"
 */
export function endpointUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}
