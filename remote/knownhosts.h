/*
 * knownhosts - strict host-key checking against OpenSSH known_hosts files.
 *
 * Reads the files the way ssh(1) does (sshd(8) "SSH_KNOWN_HOSTS FILE
 * FORMAT"): comma-separated host patterns with `*`, `?` and `!`
 * negation, hashed `|1|salt|hmac` names (HMAC-SHA1 of the name with the
 * salt as key), `[host]:port` names for ports other than 22, `@revoked`
 * keys, any number of key types per host. `@cert-authority` lines are
 * skipped with a note: relaydeck does not verify host certificates.
 *
 * A lookup answers with the entry that decided (file and line), so an
 * error can point at the old key the way OpenSSH's "REMOTE HOST
 * IDENTIFICATION HAS CHANGED" warning does. Only knownhosts_add writes
 * (StrictHostKeyChecking accept-new): atomically, the old file kept as
 * FILE.old.
 *
 * Ownership: everything is caller-owned; no allocation outlives a call.
 */
#ifndef RELAYDECK_KNOWNHOSTS_H
#define RELAYDECK_KNOWNHOSTS_H

#include <stddef.h>

#include "err.h"

enum kh_status {
	KH_UNKNOWN = 0,	/* no key of this type for this host (maybe other types) */
	KH_MATCH,	/* the key is listed for this host */
	KH_CHANGED,	/* another key of the same type is listed: refuse loudly */
	KH_REVOKED,	/* the key is marked @revoked */
};

struct kh_result {
	enum kh_status status;
	char file[512];		/* the deciding entry (match, old key, revocation) */
	int line;
	char other_types[256];	/* key types listed for this host, comma separated */
	char other_file[512];	/* where the first of those is */
	int other_line;
	int cert_authorities;	/* @cert-authority lines that matched the host (ignored) */
};

/* knownhosts_host_name - the name known_hosts uses: "host", or
 * "[host]:port" when port is not 22. Lower-cased. */
void knownhosts_host_name(const char *host, int port, char *out, size_t outlen);

/* knownhosts_check - look up a server key (the SSH wire blob, which names
 * its own type) for name in the files; missing files are skipped, an
 * unreadable one is an error. */
int knownhosts_check(const char *const *files, size_t nfiles, const char *name,
		     const unsigned char *blob, size_t bloblen, struct kh_result *out,
		     struct err *e);

/* knownhosts_types - key types listed (not revoked) for name, comma
 * separated in file order, without duplicates: what to ask the server for
 * first, as ssh(1) orders HostKeyAlgorithms. */
void knownhosts_types(const char *const *files, size_t nfiles, const char *name, char *out,
		      size_t outlen);

/* knownhosts_fingerprint - "SHA256:" + unpadded base64 of SHA-256(blob),
 * as ssh-keygen -l prints it. */
void knownhosts_fingerprint(const unsigned char *blob, size_t len, char *out, size_t outlen);

/* knownhosts_blob_type - the key type a wire blob names ("ssh-ed25519"), or "". */
void knownhosts_blob_type(const unsigned char *blob, size_t len, char *out, size_t outlen);

/* knownhosts_add - append "NAME TYPE KEY" for a wire blob to file (its
 * directory made 0700 when missing), NAME hashed as |1|salt|hmac when
 * hash is set (HashKnownHosts). The file is rewritten whole: temp file in
 * the same directory, fsync, the previous one linked as FILE.old, rename.
 * As root, a file or directory of another user is refused (EPERM). */
int knownhosts_add(const char *file, const char *name, const unsigned char *blob, size_t len,
		   int hash, struct err *e);

/* knownhosts_match_hostname - OpenSSH pattern-list matching: 1 when a
 * positive pattern matches and no negated one does, else 0. */
int knownhosts_match_hostname(const char *name, const char *patterns);

#endif
