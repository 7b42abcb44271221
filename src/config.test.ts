import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresSettings, webhookWorkerMode } from './config.ts';

describe('PAYRAIL_EMBEDDED_POSTGRES_SETTINGS', () => {
  it('reads space-separated name=value pairs, and nothing from an empty or missing value', () => {
    assert.deepEqual(postgresSettings('S', 'shared_preload_libraries=pg_stat_statements  track_io_timing=on pg_stat_statements.track=all'), {
      shared_preload_libraries: 'pg_stat_statements', track_io_timing: 'on', 'pg_stat_statements.track': 'all',
    });
    assert.deepEqual(postgresSettings('S', ''), {});
    assert.deepEqual(postgresSettings('S', undefined), {});
  });

  it('refuses what could be more than one server argument, naming the setting', () => {
    for (const bad of ['work_mem', 'work_mem=', 'a=b;c', 'x=1 -c', 'Work_Mem=1', "a='b'"]) {
      assert.throws(() => postgresSettings('PAYRAIL_EMBEDDED_POSTGRES_SETTINGS', bad), /PAYRAIL_EMBEDDED_POSTGRES_SETTINGS holds name=value pairs/, bad);
    }
  });
});

describe('PAYRAIL_WEBHOOK_WORKER', () => {
  it('runs the worker as a child process unless told otherwise', () => {
    for (const raw of [undefined, '', '1', 'process']) assert.equal(webhookWorkerMode(raw), 'process', String(raw));
    assert.equal(webhookWorkerMode('in-process'), 'in-process');
    assert.equal(webhookWorkerMode('0'), 'off');
  });

  it('refuses anything else, naming the setting', () => {
    for (const bad of ['2', 'yes', 'inprocess', 'PROCESS']) assert.throws(() => webhookWorkerMode(bad), /PAYRAIL_WEBHOOK_WORKER must be/, bad);
  });
});
