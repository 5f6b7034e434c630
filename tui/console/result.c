/*
 * result - the apply/rollback result dialog: core/report's words in a
 * message dialog. See result.h.
 */
#include "config.h"
#include "result.h"

#include <stdio.h>

#include "buf.h"
#include "changeset.h"
#include "lines.h"
#include "report.h"
#include "screens.h"
#include "target.h"

/* result_show - no follow-up. */
void result_show(struct console *c, struct screen *s, const char *what, int rc,
		 const struct apply_report *r, const struct err *e)
{
	result_show_then(c, s, what, rc, r, e, NULL, 0);
}

/* result_show_then - build the text from the report and open a message dialog. */
void result_show_then(struct console *c, struct screen *s, const char *what, int rc,
		      const struct apply_report *r, const struct err *e,
		      int (*done)(struct screen *, struct w_dialog *, enum w_dlg_result), int tag)
{
	struct w_dialog *d;
	struct lines l = LINES_INIT;
	struct buf b = BUF_INIT;
	char title[64];

	snprintf(title, sizeof(title), "%s %s", what, rc == 0 ? "succeeded" : "failed");
	report_apply(&l, what, rc, r, e, console_target(c)->config_dir);
	for (size_t i = 0; i < l.n; i++)
		buf_printf(&b, "%s%s", i ? "\n" : "", l.v[i].text);
	lines_free(&l);
	d = w_dialog_message(title, b.data ? b.data : "", rc == 0 ? ROLE_OK : ROLE_ERROR);
	if (d)
		w_dialog_set_tag(d, tag);
	console_dialog(c, s, d, done);
	buf_free(&b);
}
