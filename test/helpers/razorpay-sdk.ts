import Razorpay from 'razorpay';

/**
 * The official `razorpay` Node SDK pointed at a Razorpay sandbox.
 *
 * The SDK (2.9.x) has no option for its host: the constructor hard-codes `hostUrl: 'https://api.razorpay.com'` and
 * hands it to its API wrapper, which makes one axios instance (`api.rq`) with that `baseURL` and the key as Basic
 * auth. Changing that instance's `defaults.baseURL` is the least invasive real change: every request is still built
 * by the SDK's own resources (paths, query parameters, bodies, auth, error normalisation); only the origin differs.
 */
export function razorpaySdk(baseUrl: string, keyId: string, keySecret: string): Razorpay {
  const razorpay = new Razorpay({ key_id: keyId, key_secret: keySecret });
  const api = razorpay.api as unknown as { rq?: { defaults: { baseURL?: string } } };
  if (!api.rq || api.rq.defaults.baseURL !== 'https://api.razorpay.com') throw new Error('the razorpay SDK no longer keeps its axios instance at api.rq; update test/helpers/razorpay-sdk.ts');
  api.rq.defaults.baseURL = baseUrl;
  return razorpay;
}

/** The error the SDK rejects with: `{statusCode, error: {code, description, field, source, step, reason, metadata}}`. */
export interface RazorpaySdkError {
  statusCode: number;
  error: { code: string; description: string; field?: string; source?: string; step?: string; reason?: string; metadata?: Record<string, string> };
}
