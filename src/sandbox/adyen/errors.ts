import { newPspReference } from './store.ts';

/** An Adyen ServiceError answer: `{status, errorCode, message, errorType, pspReference?}`. */
export class AdyenError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly errorType: string;

  constructor(status: number, errorCode: string, message: string, errorType = 'validation') {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.errorType = errorType;
  }

  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = { status: this.status, errorCode: this.errorCode, message: this.message, errorType: this.errorType };
    if (this.status === 422 || this.status >= 500) body.pspReference = newPspReference();
    return body;
  }
}
