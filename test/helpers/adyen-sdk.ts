import http from 'node:http';
import adyen from '@adyen/api-library';
import type { CheckoutAPI as CheckoutApiType } from '@adyen/api-library';

/**
 * The official @adyen/api-library pointed at an Adyen sandbox.
 *
 * The library has no setting for a custom Checkout endpoint: each service builds `baseUrl` from a hard-coded
 * `https://checkout-test.adyen.com/v72` (createBaseUrl), and its HTTP client always calls `https.request`. So this
 * helper (1) overrides the (private) `baseUrl` of the PaymentsApi / ModificationsApi instances it returns with
 * `${sandboxUrl}/v71`, and (2) installs the library's own HttpURLConnectionClient with one method replaced:
 * `createRequest` builds the same request (same headers: X-API-Key, Idempotency-Key, Content-Type, User-Agent,
 * adyen-library-name/version) with `http.request`, because the sandbox speaks plain HTTP. Everything else, the
 * library's request serialisation, header handling, error parsing (HttpClientException with `apiError`) and response
 * deserialisation, is the library's own code.
 *
 * Every exchange (request body and response status/body) is recorded so tests can validate all of them against the
 * published OpenAPI spec.
 */

const { Client, CheckoutAPI, HttpURLConnectionClient, EnvironmentEnum } = adyen;

export interface AdyenExchange {
  method: string;
  /** The path after the version prefix, e.g. `/payments/ABC/captures`. */
  path: string;
  requestBody: unknown;
  status?: number;
  responseBody?: unknown;
}

interface RequestOptionsLike {
  headers?: Record<string, string>;
  method?: string;
  timeout?: number;
  idempotencyKey?: string;
  params?: Record<string, string>;
  [option: string]: unknown;
}

export interface AdyenSdk {
  payments: CheckoutApiType['PaymentsApi'];
  modifications: CheckoutApiType['ModificationsApi'];
  exchanges: AdyenExchange[];
}

/** Matches the library's own `createRequest`, with http.request instead of https.request (the library's is private). */
function createPlainHttpRequest(endpoint: string, requestOptions: RequestOptionsLike, applicationName: string | undefined, exchange: AdyenExchange) {
  const url = new URL(endpoint);
  const headers = (requestOptions.headers ??= {});
  if (requestOptions.idempotencyKey) {
    headers['Idempotency-Key'] = requestOptions.idempotencyKey;
    delete requestOptions.idempotencyKey;
  }
  headers['Cache-Control'] = 'no-cache';
  headers['Accept-Charset'] = 'utf-8';
  const libraryInfo = 'adyen-node-api-library/sandbox-test';
  headers['User-Agent'] = applicationName ? `${applicationName} ${libraryInfo}` : libraryInfo;
  headers['adyen-library-name'] = 'adyen-node-api-library';
  const path = url.pathname + (requestOptions.params ? `?${new URLSearchParams(requestOptions.params).toString()}` : '');
  const request = http.request({
    hostname: url.hostname,
    port: url.port,
    path,
    method: requestOptions.method ?? 'POST',
    headers,
    ...(requestOptions.timeout ? { timeout: requestOptions.timeout } : {}),
  });
  if (requestOptions.timeout) request.setTimeout(requestOptions.timeout);
  request.on('response', (response) => {
    exchange.status = response.statusCode;
    let text = '';
    response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    response.on('end', () => {
      try {
        exchange.responseBody = JSON.parse(text);
      } catch {
        exchange.responseBody = text;
      }
    });
  });
  return request;
}

/**
 * A Checkout API client from the official SDK, pointed at `${sandboxUrl}/v71`.
 * `timeoutMs` sets the SDK's connectionTimeoutMillis (its request timeout).
 */
export function adyenSdk(sandboxUrl: string, apiKey: string, timeoutMs?: number): AdyenSdk {
  const exchanges: AdyenExchange[] = [];
  const transport = new HttpURLConnectionClient();
  let pending: AdyenExchange | undefined;
  Object.assign(transport, {
    createRequest: (endpoint: string, requestOptions: RequestOptionsLike, applicationName?: string) =>
      createPlainHttpRequest(endpoint, requestOptions, applicationName, pending!),
  });
  const recordingTransport = {
    request(endpoint: string, json: string | Buffer, config: never, isApiRequired: boolean, requestOptions?: RequestOptionsLike) {
      const exchange: AdyenExchange = {
        method: requestOptions?.method ?? 'POST',
        path: new URL(endpoint).pathname.replace(/^\/v71/, ''),
        requestBody: json.length > 0 ? JSON.parse(json.toString()) : undefined,
      };
      exchanges.push(exchange);
      pending = exchange;
      return transport.request(endpoint, json, config, isApiRequired, requestOptions as never);
    },
  };
  const client = new Client({ apiKey, environment: EnvironmentEnum.TEST, ...(timeoutMs ? { connectionTimeoutMillis: timeoutMs } : {}) }, recordingTransport);
  const checkout = new CheckoutAPI(client);
  const payments = checkout.PaymentsApi;
  const modifications = checkout.ModificationsApi;
  // The library keeps the endpoint in a private field with no public setter (see above).
  Object.assign(payments, { baseUrl: `${sandboxUrl}/v71` });
  Object.assign(modifications, { baseUrl: `${sandboxUrl}/v71` });
  return { payments, modifications, exchanges };
}
