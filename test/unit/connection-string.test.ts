/*
 * libpq's key=value connection strings, read as psql reads them, and passwords masked in both forms:
 * parsing (quotes, backslash escapes, spaces around `=`), masking, and what node-postgres is given.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { connectionStringPasswords, isKeyValueConnection, maskConnectionString, parseConninfo } from '../../src/io/connection-string.js';
import { clientConfig, connectionError, resolveConnection, urlPassword } from '../../src/io/db.js';

const PINNED = '-c standard_conforming_strings=on -c jit=off -c search_path=pg_catalog -c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres';

describe('which form a connection string is in', () => {
  it.each([
    ['host=db port=5432', true],
    ['  dbname = app', true],
    ['postgres://me@db/app', false],
    ['postgresql://me@db/app?sslmode=require', false],
    ['POSTGRES://me@db/app', false],
    ['db.example.com', false],
    ['', false],
  ])('%j is key=value: %s', (text, expected) => {
    expect(isKeyValueConnection(text)).toBe(expected);
  });
});

describe('parseConninfo: libpq’s rules', () => {
  const values = (text: string) => parseConninfo(text).pairs.map((p) => [p.keyword, p.value]);

  it('reads bare values, spaces around =, quoted values with spaces, and backslash escapes', () => {
    expect(values('host=db port = 5432\tdbname=app  user=me password=secret sslmode=require')).toEqual([
      ['host', 'db'],
      ['port', '5432'],
      ['dbname', 'app'],
      ['user', 'me'],
      ['password', 'secret'],
      ['sslmode', 'require'],
    ]);
    expect(values("password='a b' user='' options='-c work_mem=64MB'")).toEqual([
      ['password', 'a b'],
      ['user', ''],
      ['options', '-c work_mem=64MB'],
    ]);
    expect(values(String.raw`password='it\'s \\ a' user=a\ b dbname=x\'y host=`)).toEqual([
      ['password', String.raw`it's \ a`],
      ['user', 'a b'],
      ['dbname', "x'y"],
      ['host', ''],
    ]);
    // A quote inside a bare value is just a character, as in libpq.
    expect(values("user=o'neil")).toEqual([['user', "o'neil"]]);
  });

  it('says what is wrong in libpq’s words, and where', () => {
    expect(parseConninfo('host=db port').error).toEqual({ message: 'missing "=" after "port" in connection info string', offset: 8 });
    expect(parseConninfo("host=db password='abc").error).toEqual({ message: 'unterminated quoted string in connection info string', offset: 8 });
  });
});

describe('masking: a password shows nowhere, in either form', () => {
  it.each([
    ['host=db port=5432 dbname=app user=me password=secret sslmode=require', 'host=db port=5432 dbname=app user=me password=*** sslmode=require', ['secret']],
    ["host=db password = 'a b\\' c' user=x", 'host=db password = *** user=x', ["a b' c"]],
    ['host=db password=a\\ b user=x', 'host=db password=*** user=x', ['a b']],
    ['password=first host=db password=second', 'password=*** host=db password=***', ['first', 'second']],
    ["password='never closed", 'password=***', ['never closed']],
    ['host=db oops password=secret', 'host=db oops password=***', ['secret']],
    ["user=me options='-c password=x' password=y", "user=me options='-c password=x' password=***", ['y']],
    ['host=db user=me', 'host=db user=me', []],
    ['postgres://me:s%40cret@db:5432/app', 'postgres://me:***@db:5432/app', ['s@cret']],
    ['postgres://me@db/app?password=secret&sslmode=require', 'postgres://me@db/app?password=***&sslmode=require', ['secret']],
    ['postgres://me:secret@db:99999/app?password=other', 'postgres://me:***@db:99999/app?password=***', ['secret', 'other']],
  ])('%s', (text, masked, passwords) => {
    expect(maskConnectionString(text)).toBe(masked);
    expect(connectionStringPasswords(text)).toEqual(passwords);
    for (const password of passwords) expect(maskConnectionString(text)).not.toContain(password);
  });

  it('resolveConnection shows the masked string and scrubs every password, as typed and percent-encoded', () => {
    const target = resolveConnection({ databaseUrl: "host=db user=me password='p@ss word'", env: { DATABASE_URL: 'postgres://other@x/y' } });
    expect(target).toEqual({ connectionString: "host=db user=me password='p@ss word'", display: 'host=db user=me password=***', secrets: ['p@ss word', 'p%40ss%20word'] });
    expect(resolveConnection({ env: { DATABASE_URL: 'host=db password=secret', PGPASSWORD: 'pg' } }).secrets).toEqual(['pg', 'secret', 'secret']);
    expect(urlPassword('host=db password=secret')).toBe('secret');
  });
});

describe('clientConfig: what node-postgres is given', () => {
  const target = (connectionString: string) => ({ connectionString, display: maskConnectionString(connectionString), secrets: [] });
  const refusal = (text: string): string => {
    try {
      clientConfig(target(text));
    } catch (error) {
      if (error instanceof UserError) return `${error.message} | ${error.hint ?? ''}`;
      throw error;
    }
    throw new Error(`accepted: ${text}`);
  };

  it('turns key=value into fields, with libpq’s TLS meanings and our settings after the user’s options', () => {
    expect(clientConfig(target("host=db port=6432 dbname=app user=me password='a b' sslmode=require options='-c work_mem=64MB -c jit=on'"))).toEqual({
      application_name: 'reconcile',
      host: 'db',
      port: 6432,
      database: 'app',
      user: 'me',
      password: 'a b',
      ssl: { rejectUnauthorized: false },
      options: `-c work_mem=64MB -c jit=on ${PINNED}`,
    });
    expect(clientConfig(target('hostaddr=10.0.0.5 sslmode=disable application_name=nightly connect_timeout=1 gssencmode=disable'))).toEqual({
      application_name: 'nightly',
      host: '10.0.0.5',
      ssl: false,
      connectionTimeoutMillis: 2000,
      options: PINNED,
    });
    // check's sessions leave jit to the server.
    expect(clientConfig(target('host=/var/run/postgresql dbname=app'), { applicationQueries: true })).toEqual({
      application_name: 'reconcile',
      host: '/var/run/postgresql',
      database: 'app',
      options: PINNED.replace('-c jit=off ', ''),
    });
  });

  it('reads the certificate files a verified connection needs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-ssl-'));
    try {
      fs.writeFileSync(path.join(dir, 'root.crt'), 'ROOT');
      const config = clientConfig(target(`host=db sslmode=verify-ca sslrootcert='${dir}/root.crt'`));
      expect(config.ssl).toMatchObject({ ca: 'ROOT' });
      expect(typeof (config.ssl as { checkServerIdentity?: unknown }).checkServerIdentity).toBe('function');
      expect(clientConfig(target(`host=db sslmode=verify-full sslrootcert=${dir}/root.crt`)).ssl).toEqual({ ca: 'ROOT' });
      expect(refusal(`host=db sslmode=verify-full sslrootcert=${dir}/missing.crt`)).toBe(
        `The connection string host=db sslmode=verify-full sslrootcert=${dir}/missing.crt is not valid: cannot read the sslrootcert file ${dir}/missing.crt: ENOENT. | Check the path.`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a URL’s own options, before ours, so the pinned settings win', () => {
    expect(clientConfig(target('postgres://me@db/app?options=-c%20jit%3Don%20-c%20work_mem%3D64MB&sslmode=require'))).toEqual({
      application_name: 'reconcile',
      connectionString: 'postgres://me@db/app?sslmode=require&uselibpqcompat=true',
      options: `-c jit=on -c work_mem=64MB ${PINNED}`,
    });
    // A session that pins nothing (reading the role's own settings) still gets the user's options.
    expect(clientConfig(target('postgres://me@db/app?options=-c%20work_mem%3D64MB'), { pin: false })).toEqual({
      application_name: 'reconcile',
      connectionString: 'postgres://me@db/app',
      options: '-c work_mem=64MB',
    });
    expect(clientConfig(target('host=db'), { pin: false })).toEqual({ application_name: 'reconcile', host: 'db' });
  });

  const HINT = "Write it as host=db port=5432 dbname=app user=me, quoting a value with spaces or quotes in single quotes: password='it\\'s a secret'.";
  const SUPPORTED =
    'reconcile reads these: host, hostaddr, port, dbname, user, password, sslmode, sslrootcert, sslcert, sslkey, application_name, options, connect_timeout, client_encoding.';
  it.each([
    ['host=db port', `The connection string host=db port is not valid: missing "=" after "port" in connection info string. | ${HINT}`],
    ["host=db password='secret", `The connection string host=db password=*** is not valid: unterminated quoted string in connection info string. | ${HINT}`],
    ['host=db port=54x2 password=secret', `The connection string host=db port=54x2 password=*** is not valid: invalid port number: "54x2". | ${HINT}`],
    ['host=db hots=x password=secret', `The connection string host=db hots=x password=*** is not valid: invalid connection option "hots". | ${SUPPORTED}`],
    ['host=db service=prod', `The connection string host=db service=prod is not valid: the option service is not supported. | ${SUPPORTED}`],
    ['host=db sslpassword=secret', `The connection string host=db sslpassword=secret is not valid: the option sslpassword is not supported. | ${SUPPORTED}`],
    ['host=db target_session_attrs=read-write', `The connection string host=db target_session_attrs=read-write is not valid: target_session_attrs=read-write is not supported. | ${SUPPORTED}`],
    ['host=a,b', 'The connection string host=a,b is not valid: several hosts (a,b) are not supported. | Give one host.'],
    ['host=db sslmode=required', 'The connection string host=db sslmode=required is not valid: invalid sslmode value: "required". | sslmode takes one of disable, allow, prefer, require, verify-ca, verify-full.'],
    ['host=db sslmode=verify-ca', `The connection string host=db sslmode=verify-ca is not valid: sslmode=verify-ca needs sslrootcert, the certificate of the authority to verify against. | ${HINT}`],
  ])('refuses %j', (text, expected) => {
    expect(refusal(text)).toBe(expected);
  });

  it('hints in the words of the form the connection was given in', () => {
    const keyValue = connectionError({ code: '28000', message: 'no pg_hba.conf entry for host "1.2.3.4", user "me", database "app", no encryption' }, target('host=db user=me'));
    expect([keyValue.message, keyValue.hint]).toEqual(['Cannot connect to host=db user=me: the server requires TLS.', 'Add sslmode=require to the connection string.']);
    const url = connectionError({ code: '28000', message: 'no encryption' }, target('postgres://me@db/app'));
    expect(url.hint).toBe('Add ?sslmode=require to the connection URL.');
  });
});
