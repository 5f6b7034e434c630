/*
 * shquote - quoting for remote shells. See shquote.h.
 */
#include "config.h"
#include "shquote.h"

#include <string.h>

int shquote_arg(struct buf *out, const char *arg, struct err *e)
{
	if (arg == NULL)
		return err_set(e, ERR_INVALID, "shquote: missing argument");
	if (buf_putc(out, '\'') < 0)
		goto nomem;
	for (const char *p = arg; *p; p++) {
		if (*p == '\'') {
			if (buf_puts(out, "'\\''") < 0)
				goto nomem;
		} else if (buf_putc(out, *p) < 0) {
			goto nomem;
		}
	}
	if (buf_putc(out, '\'') < 0)
		goto nomem;
	return 0;
nomem:
	return err_set(e, ERR_LIMIT, "shquote: command too long");
}

int shquote_argv(struct buf *out, const char *const *argv, struct err *e)
{
	if (argv == NULL || argv[0] == NULL)
		return err_set(e, ERR_INVALID, "shquote: empty command");
	for (size_t i = 0; argv[i]; i++) {
		if (i > 0 && buf_putc(out, ' ') < 0)
			return err_set(e, ERR_LIMIT, "shquote: command too long");
		if (shquote_arg(out, argv[i], e) < 0)
			return -1;
	}
	return 0;
}
