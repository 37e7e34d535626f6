/**
 * A private Postfix instance for `npm run test:mta`: its own config folder, queue, data
 * folder and ports, on loopback only; the system's Postfix (if any) is never touched.
 * `postfix -c DIR` starts a second master process that reads only DIR/main.cf and
 * DIR/master.cf (postfix(1)).
 *
 * It plays a relay that accepts mail for `domain` and bounces it later: addresses listed in
 * `mailboxes` are delivered into DIR/mail, any other address of the domain is accepted at
 * RCPT (smtpd_reject_unlisted_recipient = no) and then bounced by virtual(8) with "user
 * unknown" — the DSN goes to the envelope sender, i.e. to our VERP address, which the
 * transport table routes to `brief inbound` on `inboundPort`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PrivatePostfix {
  dir: string;
  /** Where Postfix's smtpd listens (SMTP_URL for brief). */
  smtpPort: number;
  /** What Postfix wrote to its own log file. */
  log(): string;
  /** Delivered mailbox files, by local part. */
  mailbox(local: string): string | null;
  stop(): void;
}

const POSTFIX = '/usr/sbin/postfix';

export function postfixInstalled(): boolean {
  return existsSync(POSTFIX);
}

export function startPrivatePostfix(opts: { domain: string; mailboxes: string[]; smtpPort: number; bounceDomain: string; inboundPort: number }): PrivatePostfix {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brief-postfix-'));
  // Postfix's own processes run as the postfix user and must reach the queue below.
  chmodSync(dir, 0o755);
  const conf = path.join(dir, 'conf');
  const mail = path.join(dir, 'mail');
  mkdirSync(conf);
  mkdirSync(mail);
  // The queue is root's (post-install makes its subfolders); the data folder is Postfix's.
  mkdirSync(path.join(dir, 'queue'), { mode: 0o755 });
  mkdirSync(path.join(dir, 'data'), { mode: 0o700 });
  const pf = Number(execFileSync('id', ['-u', 'postfix'], { encoding: 'utf8' }).trim());
  chownSync(path.join(dir, 'data'), pf, Number(execFileSync('id', ['-g', 'postfix'], { encoding: 'utf8' }).trim()));
  const nobody = 65534;
  chownSync(mail, nobody, nobody);
  const file = (name: string, text: string) => writeFileSync(path.join(conf, name), text, { mode: 0o644 });
  file('vmailbox', opts.mailboxes.map((a) => `${a} ${a.split('@')[0]}/\n`).join(''));
  file('transport', `${opts.bounceDomain} smtp:[127.0.0.1]:${opts.inboundPort}\n`);
  file(
    'main.cf',
    `compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
syslog_name = brief-test-postfix
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
myhostname = relay.${opts.domain}
mydomain = ${opts.domain}
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
smtpd_reject_unlisted_recipient = no
virtual_mailbox_domains = ${opts.domain}
virtual_mailbox_maps = texthash:${conf}/vmailbox
virtual_mailbox_base = ${mail}
virtual_minimum_uid = 100
virtual_uid_maps = static:${nobody}
virtual_gid_maps = static:${nobody}
transport_maps = texthash:${conf}/transport
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtputf8_enable = no
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:5.1.1 no local delivery here
biff = no
delay_warning_time = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
in_flow_delay = 0
smtp_connect_timeout = 5s
notify_classes =
`,
  );
  // Every service unchained (no chroot: the queue is not a prepared chroot jail).
  file(
    'master.cf',
    `127.0.0.1:${opts.smtpPort} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`,
  );
  const run = (...args: string[]) => execFileSync(POSTFIX, ['-c', conf, ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  try {
    run('check');
    run('start');
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const log = existsSync(path.join(dir, 'maillog')) ? readFileSync(path.join(dir, 'maillog'), 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`private postfix did not start: ${e.stderr || e.message}\n${log}`);
  }
  return {
    dir,
    smtpPort: opts.smtpPort,
    log: () => (existsSync(path.join(dir, 'maillog')) ? readFileSync(path.join(dir, 'maillog'), 'utf8') : ''),
    mailbox(local) {
      const p = path.join(mail, local, 'new');
      if (!existsSync(p)) return null;
      const files = execFileSync('ls', [p], { encoding: 'utf8' }).split('\n').filter(Boolean);
      return files.length ? readFileSync(path.join(p, files[0]!), 'utf8') : null;
    },
    stop() {
      try {
        run('stop');
      } catch {
        try {
          run('abort');
        } catch {
          // already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
