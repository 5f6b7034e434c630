/*
 * samegroup - texts grouped by content (see samegroup.h).
 */
#include "config.h"
#include "samegroup.h"

#include <stdlib.h>
#include <string.h>

struct item {
	const char *text;
	size_t len, index;
};

/* by_content - length, bytes, then index: equal texts end up adjacent,
 * each run in index order. */
static int by_content(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if ((c = memcmp(x->text, y->text, x->len)) != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int by_first(const void *a, const void *b)
{
	const struct same_group *x = a, *y = b;

	return x->members[0] < y->members[0] ? -1 : x->members[0] > y->members[0];
}

int same_groups(const char *const *text, const size_t *len, size_t n, struct same_group **out,
		size_t *nout, struct err *e)
{
	struct item *items = malloc((n ? n : 1) * sizeof(*items));
	struct same_group *g = calloc(n ? n : 1, sizeof(*g));
	size_t m = 0, ng = 0;

	*out = NULL;
	*nout = 0;
	if (items == NULL || g == NULL)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		if (text[i] != NULL && len[i] > 0) {
			items[m].text = text[i];
			items[m].len = len[i];
			items[m].index = i;
			m++;
		}
	qsort(items, m, sizeof(*items), by_content);
	for (size_t i = 0; i < m;) {
		size_t j = i + 1;

		while (j < m && items[j].len == items[i].len &&
		       memcmp(items[j].text, items[i].text, items[i].len) == 0)
			j++;
		if ((g[ng].members = malloc((j - i) * sizeof(size_t))) == NULL)
			goto nomem;
		for (size_t k = i; k < j; k++)
			g[ng].members[g[ng].n++] = items[k].index;
		ng++;
		i = j;
	}
	qsort(g, ng, sizeof(*g), by_first);
	free(items);
	*out = g;
	*nout = ng;
	return 0;
nomem:
	free(items);
	same_groups_free(g, ng);
	return err_set(e, ERR_NOMEM, "out of memory");
}

void same_groups_free(struct same_group *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++)
		free(g[i].members);
	free(g);
}
