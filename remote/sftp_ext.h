/*
 * sftp_ext - the OpenSSH SFTP extensions libssh2 1.10 cannot send.
 *
 * libssh2 1.10 has no posix-rename (libssh2_sftp_posix_rename_ex came in
 * 1.11.1), and OpenSSH's sftp-server refuses a plain SFTP rename onto an
 * existing file, so an atomic replace needs "posix-rename@openssh.com".
 * This speaks just enough SFTP version 3 (draft-ietf-secsh-filexfer-02)
 * on its own "sftp" subsystem channel: INIT, the VERSION reply with the
 * server's extension list, and EXTENDED requests answered by STATUS.
 *
 * Ownership: sftp_ext_open returns a handle freed with sftp_ext_free
 * (which closes its channel).
 */
#ifndef RELAYDECK_SFTP_EXT_H
#define RELAYDECK_SFTP_EXT_H

#include "err.h"
#include "ssh_session.h"

struct sftp_ext;

struct sftp_ext *sftp_ext_open(struct ssh_session *s, long long deadline, struct err *e);
void sftp_ext_free(struct sftp_ext *x);

/* sftp_ext_has - 1 when the server listed the extension (e.g. "fsync@openssh.com"). */
int sftp_ext_has(const struct sftp_ext *x, const char *name);

/* sftp_ext_posix_rename - rename from over to atomically, replacing to. */
int sftp_ext_posix_rename(struct sftp_ext *x, const char *from, const char *to,
			  long long deadline, struct err *e);

#endif
