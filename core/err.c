/*
 * err - error records. See err.h.
 */
#include "config.h"
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
	if (e == NULL)
		return;
	memset(e, 0, sizeof(*e));
}

static void err_vset(struct err *e, enum err_code code, const char *fmt, va_list ap)
{
	e->code = code;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

int err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	e->sys_errno = 0;
	return -1;
}

int err_sys(struct err *e, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	err_vset(e, ERR_SYS, fmt, ap);
	va_end(ap);
	e->sys_errno = saved;
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

int err_at(struct err *e, const char *file, int line)
{
	if (e == NULL)
		return -1;
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	e->line = line;
	e->col = 0;
	return -1;
}

int err_at_col(struct err *e, const char *file, int line, int col)
{
	err_at(e, file, line);
	if (e != NULL)
		e->col = col;
	return -1;
}

const char *err_format(const struct err *e, char *out, size_t outlen)
{
	if (e->file[0] && e->line > 0 && e->col > 0)
		snprintf(out, outlen, "%s:%d:%d: %s", e->file, e->line, e->col, e->msg);
	else if (e->file[0] && e->line > 0)
		snprintf(out, outlen, "%s:%d: %s", e->file, e->line, e->msg);
	else if (e->file[0] && strstr(e->msg, e->file) == NULL)
		snprintf(out, outlen, "%s: %s", e->file, e->msg);
	else
		snprintf(out, outlen, "%s", e->msg);
	return out;
}

const char *err_code_name(enum err_code code)
{
	static const char *const names[] = {
		[ERR_OK] = "ok", [ERR_SYS] = "system", [ERR_PARSE] = "parse",
		[ERR_INVALID] = "invalid", [ERR_NOTFOUND] = "not-found",
		[ERR_LOCKED] = "locked", [ERR_VALIDATE] = "validate",
		[ERR_RUN] = "run", [ERR_TIMEOUT] = "timeout", [ERR_NOMEM] = "no-memory",
		[ERR_LIMIT] = "limit", [ERR_USAGE] = "usage",
		[ERR_NET] = "network", [ERR_HOSTKEY_UNKNOWN] = "host-key-unknown",
		[ERR_HOSTKEY_REFUSED] = "host-key-refused", [ERR_AUTH] = "auth",
		[ERR_CHANGED] = "changed-since-staged",
	};

	if ((size_t)code < sizeof(names) / sizeof(names[0]) && names[code])
		return names[code];
	return "unknown";
}
