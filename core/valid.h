/*
 * valid - pure validators for the values relaydeck writes into Postfix
 * configuration: host names, addresses, ports, next hops, networks, time
 * values, booleans, lookup table references, TLS protocol lists and
 * queue IDs.
 *
 * No I/O and no global state. Each validator returns 0 when the value is
 * acceptable, else -1 with a one-line reason in e->msg (ERR_INVALID, or
 * ERR_LIMIT for oversized input). The reason does not name a parameter:
 * callers (params.c) prefix it with the parameter name. NULL input is
 * rejected, never dereferenced.
 *
 * Ownership: valid_list_split returns an array the caller frees with
 * valid_list_free.
 */
#ifndef RELAYDECK_VALID_H
#define RELAYDECK_VALID_H

#include <stddef.h>

#include "err.h"

#define VALID_VALUE_MAX 65536	/* longest parameter value we accept */
#define VALID_HOSTNAME_MAX 253
#define VALID_QUEUE_ID_MAX 64

/* valid_single_line - no newline, carriage return, NUL or other control
 * character (a tab is a blank) in s[0..len). */
int valid_single_line(const char *s, size_t len, struct err *e);

/* valid_hostname - RFC 1123 name: labels of letters, digits and '-',
 * 1-63 bytes, not starting or ending in '-', 253 bytes at most, last
 * label not all digits (that would be an address). */
int valid_hostname(const char *s, struct err *e);
int valid_ipv4(const char *s, struct err *e);
int valid_ipv6(const char *s, struct err *e);
/* valid_port - decimal 1-65535. */
int valid_port(const char *s, struct err *e);

/* valid_nexthop - relayhost forms: "", host, host:port, [host],
 * [host]:port, [ipv6addr], [ipv6addr]:port. port is a number or a
 * service name (smtp, submission). "inet:"/"unix:" prefixes are refused:
 * they are LMTP forms. */
int valid_nexthop(const char *s, struct err *e);
/* valid_nexthop_list - a Postfix list of non-empty next hops. */
int valid_nexthop_list(const char *s, struct err *e);

/* valid_cidr - a.b.c.d/len (0-32) or [ipv6]/len (0-128), host bits zero. */
int valid_cidr(const char *s, struct err *e);

/* valid_time - Postfix 3.7 time value: digits plus optional s m h d w. */
int valid_time(const char *s, struct err *e);
/* valid_uint - decimal non-negative integer that fits a C int. */
int valid_uint(const char *s, struct err *e);
/* valid_bool - yes or no (any case, as Postfix compares them). */
int valid_bool(const char *s, struct err *e);

/* valid_map_type - lookup table type name: [a-z0-9_]+, starting with a letter. */
int valid_map_type(const char *s, struct err *e);
/* valid_table_ref - type:name, with proxy:, inline:{...}, static:...,
 * unionmap:{...}/pipemap:{...} and file-based types (hash, regexp,
 * pcre, texthash, ...) needing an absolute path or a $parameter. */
int valid_table_ref(const char *s, struct err *e);
/* valid_table_list - a Postfix list of table references. */
int valid_table_list(const char *s, struct err *e);
/* valid_table_each_type - call fn for every table type used by ref
 * (proxy:hash:/x gives "proxy" then "hash"; unionmap:{a:x, b:y} gives
 * "unionmap", "a", "b"). Stops at and returns fn's first -1; -1 with
 * e filled when ref is not a valid table reference. */
int valid_table_each_type(const char *ref, int (*fn)(const char *type, void *ctx, struct err *e),
			  void *ctx, struct err *e);
/* valid_map_type_list - text as `postconf -m` prints it: one type a line. */
int valid_map_type_list(const char *text, struct err *e);

/* valid_list_split - split a Postfix list on commas and/or whitespace;
 * "{ ... }" groups (inline:{a=b, c=d}) stay one item. Unbalanced braces
 * are an error. items is a NULL-terminated array of malloc'd strings. */
int valid_list_split(const char *s, char ***items, size_t *count, struct err *e);
void valid_list_free(char **items);

/* valid_tls_protocols - ">=TLSv1.2", "<=TLSv1.3", "!SSLv2, !SSLv3",
 * "TLSv1.2 TLSv1.3" (separators: whitespace, comma, colon); empty = all. */
int valid_tls_protocols(const char *s, struct err *e);

/* valid_queue_id - short form [0-9A-F]+ or long form
 * [0-9BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz]+. */
int valid_queue_id(const char *s, struct err *e);

/* valid_param_ref - s is exactly $name, ${name} or $(name) (or a
 * ${name?...}/${{...}} expression): Postfix expands it at run time. */
int valid_param_ref(const char *s);

#endif
