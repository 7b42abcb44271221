import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedDebitDate, isTargetBusinessDay } from './debit-date.ts';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('expectedDebitDate: the first TARGET2 business day after the confirmation', () => {
  it('is the next weekday', () => {
    assert.equal(expectedDebitDate(at('2026-12-07T20:00:00Z')), '2026-12-08'); // Monday -> Tuesday
    assert.equal(expectedDebitDate(at('2026-12-11T09:00:00Z')), '2026-12-14'); // Friday -> Monday
    assert.equal(expectedDebitDate(at('2026-12-12T09:00:00Z')), '2026-12-14'); // Saturday -> Monday
  });
  it('skips TARGET2 holidays: Christmas, New Year, Easter, Labour Day', () => {
    assert.equal(expectedDebitDate(at('2026-12-24T12:00:00Z')), '2026-12-28'); // 25, 26 closed, then the weekend
    assert.equal(expectedDebitDate(at('2026-12-31T12:00:00Z')), '2027-01-04'); // 1 January, then the weekend
    // Easter 2027 is 28 March: Good Friday 26 March and Easter Monday 29 March are closed.
    assert.equal(isTargetBusinessDay(new Date('2027-03-26T00:00:00Z')), false);
    assert.equal(isTargetBusinessDay(new Date('2027-03-29T00:00:00Z')), false);
    assert.equal(expectedDebitDate(at('2027-03-25T12:00:00Z')), '2027-03-30');
    assert.equal(expectedDebitDate(at('2028-04-28T12:00:00Z')), '2028-05-02'); // Friday; 1 May 2028 is a Monday
  });
});
