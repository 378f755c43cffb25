import createClient, { type Client } from "openapi-fetch";
import { apiBaseUrl } from "@/lib/config";
import type { paths } from "./schema";

export type ApiClient = Client<paths>;

let client: ApiClient | undefined;

/**
 * The one API client, generated from `openapi.json`. The browser authenticates with the
 * HttpOnly session cookie the API sets, so every request carries credentials.
 *
 * Created on first use (in an effect or an event handler, never while rendering on the
 * server) so it picks up the API URL the server wrote into the page.
 */
export function api(): ApiClient {
  client ??= createClient<paths>({ baseUrl: apiBaseUrl(), credentials: "include" });
  return client;
}
