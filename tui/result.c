/*
 * result - the apply/rollback result dialog. See result.h.
 */
#include "config.h"
#include "result.h"

#include <stdio.h>

#include "buf.h"
#include "changeset.h"
#include "screens.h"
#include "target.h"

/* result_show - build the text from the report and open a message dialog. */
void result_show(struct console *c, struct screen *s, const char *what, int rc,
		 const struct apply_report *r, const struct err *e)
{
	struct buf b = BUF_INIT;
	char title[64], msg[1024];
	const char *dir = console_target(c)->config_dir;

	if (rc == 0) {
		snprintf(title, sizeof(title), "%s succeeded", what);
		buf_printf(&b, "%s succeeded: %s is updated.\n", what, dir);
		if (r->backup_id[0])
			buf_printf(&b, "Backup of the previous files: %s\n", r->backup_id);
		buf_printf(&b, "postfix check: %s. Reload: %s.\n",
			   r->validated ? "passed" : r->check_skipped ? "skipped (not root)" : "not run",
			   r->reloaded ? "done" : "not needed (Postfix not running)");
	} else {
		snprintf(title, sizeof(title), "%s failed", what);
		buf_printf(&b, "%s failed: %s\n", what, err_format(e, msg, sizeof(msg)));
		if (r->restored)
			buf_printf(&b, "The previous files were restored%s%s.\n",
				   r->backup_id[0] ? " from backup " : "", r->backup_id);
		else
			buf_puts(&b, "Previous files restored: no.\n");
	}
	if (r->steps.len) {
		buf_puts(&b, "\nSteps:\n");
		buf_append(&b, r->steps.data, r->steps.len);
	}
	if (r->warnings.len) {
		buf_puts(&b, "\nWarnings (present before, not blocking):\n");
		buf_append(&b, r->warnings.data, r->warnings.len);
	}
	while (b.len && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	console_dialog(c, s, w_dialog_message(title, b.data ? b.data : "",
					      rc == 0 ? ROLE_OK : ROLE_ERROR), NULL);
	buf_free(&b);
}
