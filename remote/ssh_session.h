/*
 * ssh_session - one SSH connection to one host with libssh2: resolve and
 * connect with a deadline (IPv4 and IPv6), key exchange, strict host-key
 * checking against known_hosts (knownhosts.c), then public-key
 * authentication: ssh-agent first, then identity files.
 *
 * The session is non-blocking: every libssh2 call that would block returns
 * LIBSSH2_ERROR_EAGAIN, and ssh_session_wait polls the socket in the
 * direction libssh2 asks for, up to a deadline. Each step of
 * ssh_session_open is such a resumable call, so an event loop driving many
 * sessions (the fleet) can poll them all at once; the single-host callers
 * here wait on one.
 *
 * A session may run over a direct-tcpip channel of another session (a
 * jump host, ProxyJump): libssh2 1.10 reads and writes a socket only
 * through its send/recv callbacks, so the inner session gets callbacks
 * that read and write the channel; the outer session's socket is the one
 * that is polled. Any number of hops nest this way.
 *
 * Errors: ERR_NET (name not resolved, refused, unreachable, connection
 * lost), ERR_TIMEOUT, ERR_HOSTKEY_UNKNOWN (message carries the SHA256
 * fingerprint), ERR_HOSTKEY_REFUSED (changed or revoked; file and line of
 * the old key), ERR_AUTH (names every method tried).
 *
 * Ownership: ssh_session_open returns a session the caller releases with
 * ssh_session_free, which closes the connection. ssh_spec_parse returns
 * malloc'd strings.
 */
#ifndef RELAYDECK_SSH_SESSION_H
#define RELAYDECK_SSH_SESSION_H

#include <libssh2.h>

#include "err.h"

#define SSH_CONNECT_TIMEOUT_MS 15000
#define SSH_MAX_HOPS 8		/* jump hosts before a target */

struct ssh_session;

/* What an unknown host key gets (StrictHostKeyChecking; changed and
 * revoked keys are refused under every policy). */
enum ssh_hostkey_policy {
	SSH_HOSTKEY_STRICT = 0,		/* yes / ask: refused, with its fingerprint */
	SSH_HOSTKEY_ACCEPT_NEW,		/* a host with no key known: accepted, written to known_hosts_add */
	SSH_HOSTKEY_ACCEPT_UNKNOWN,	/* no: accepted for this connection only */
};

/* Asks for the passphrase of an encrypted identity file (the console asks
 * the admin; batch mode has none): 0 with it in buf, -1 to skip the key. */
typedef int (*ssh_passphrase_fn)(void *arg, const char *path, char *buf, size_t len);

struct ssh_opts {
	const char *host;		/* name or address */
	int port;			/* 0: 22 */
	const char *user;		/* NULL: the local login name */
	/* known_hosts files; NULL: ~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts */
	const char *const *known_hosts;
	size_t n_known_hosts;
	/* identity files tried after the agent; NULL: ~/.ssh/id_{ed25519,ecdsa,rsa} */
	const char *const *identities;
	size_t n_identities;
	int no_agent;			/* skip ssh-agent (IdentitiesOnly-like) */
	int connect_timeout_ms;		/* resolve + connect + key exchange + auth; 0: default */
	enum ssh_hostkey_policy hostkey_policy;
	const char *known_hosts_add;	/* where accept-new records a key; NULL: nowhere (refused) */
	int hash_known_hosts;		/* record it hashed */
	const char *host_key_alias;	/* known_hosts name instead of host */
	/* ProxyJump: reach host:port through a direct-tcpip channel of this
	 * host's session (itself maybe behind another); the name is resolved
	 * on the jump host. The connect timeout covers the whole chain. */
	const struct ssh_opts *via;
	ssh_passphrase_fn passphrase;	/* NULL: an encrypted key is skipped (batch mode) */
	void *passphrase_arg;
};

/* ssh_spec_parse - "[user@]host[:port]", host may be "[v6addr]" or a bare
 * IPv6 address (no port then). *user is NULL when not given, *port 0. */
int ssh_spec_parse(const char *spec, char **user, char **host, int *port, struct err *e);

struct ssh_session *ssh_session_open(const struct ssh_opts *o, struct err *e);
void ssh_session_free(struct ssh_session *s);

LIBSSH2_SESSION *ssh_session_raw(struct ssh_session *s);

/* ssh_session_label - "user@host" or "user@host:port", for messages. */
const char *ssh_session_label(const struct ssh_session *s);
const char *ssh_session_user(const struct ssh_session *s);
/* ssh_session_fingerprint - the verified host key, "SHA256:...". */
const char *ssh_session_fingerprint(const struct ssh_session *s);
/* ssh_session_hostkey_note - what happened to an unknown key under
 * accept-new or no ("" when the key was known). */
const char *ssh_session_hostkey_note(const struct ssh_session *s);
/* ssh_session_via - the jump host's session, or NULL. */
struct ssh_session *ssh_session_via(struct ssh_session *s);

/* ssh_now_ms - a monotonic clock in milliseconds, for deadlines. */
long long ssh_now_ms(void);

/* ssh_session_wait - wait until the socket can move in the direction
 * libssh2 is blocked on; -1 with ERR_TIMEOUT once the deadline passes. */
int ssh_session_wait(struct ssh_session *s, long long deadline, const char *what,
		     struct err *e);

/* ssh_session_pollfd - what ssh_session_wait would poll, for a caller
 * that holds the session only while it calls libssh2 and polls without
 * it: 1 with p set, 0 when a hop already holds data (call again now). */
struct pollfd;
int ssh_session_pollfd(struct ssh_session *s, struct pollfd *p);

/* ssh_session_error - turn libssh2's last error into an err naming what
 * failed ("open channel", "sftp read /etc/postfix/main.cf"). */
int ssh_session_error(struct ssh_session *s, const char *what, struct err *e);

/* ssh_session_channel - open a session channel and start an exec request
 * (cmd) or a subsystem (subsystem, when cmd is NULL). */
LIBSSH2_CHANNEL *ssh_session_channel(struct ssh_session *s, const char *cmd,
				     const char *subsystem, long long deadline, struct err *e);

/* ssh_session_direct_tcpip - a channel to host:port opened from s's host
 * (a TCP connection the server makes; host is resolved there). ERR_NET
 * when the server could not connect. Close with ssh_channel_close. */
LIBSSH2_CHANNEL *ssh_session_direct_tcpip(struct ssh_session *s, const char *host, int port,
					  long long deadline, struct err *e);

/* ssh_channel_close - send EOF, wait for the remote close (up to the
 * deadline) and free the channel; the exit status goes to *exit_code
 * (-1 when unknown) and a terminating signal's name into sig. */
void ssh_channel_close(struct ssh_session *s, LIBSSH2_CHANNEL *ch, long long deadline,
		       int *exit_code, char *sig, size_t siglen);

#endif
