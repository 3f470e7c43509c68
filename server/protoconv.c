/* Store rows as protocol messages, shared by the pull and the export replies. */
#include "protoconv.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

void gt__protoconv_value(Gtsync__V1__DataValue *dv, const struct gt_store_value *v)
{
	gtsync__v1__data_value__init(dv);
	dv->data_element = (char *)v->data_element;
	dv->category_option_combo = (char *)v->coc;
	dv->org_unit = (char *)v->org_unit;
	dv->period = (char *)v->period;
	dv->value = (char *)v->value;
	dv->comment = (char *)v->comment;
	dv->revision = v->revision;
	dv->deleted = v->deleted;
}

void gt__protoconv_state(Gtsync__V1__WorkflowState *ws, const struct gt_store_wfstate *s)
{
	gtsync__v1__workflow_state__init(ws);
	ws->dataset = (char *)s->dataset;
	ws->period = (char *)s->period;
	ws->org_unit = (char *)s->org_unit;
	ws->state = s->state;
	ws->updated_at_ms = s->updated_at_ms;
	ws->change_seq = s->change_seq;
}

void gt__protoconv_completion(Gtsync__V1__PulledCompletion *pc,
                              Gtsync__V1__CompleteRegistration *cr,
                              const struct gt_store_completion *k)
{
	gtsync__v1__complete_registration__init(cr);
	cr->dataset = (char *)k->dataset;
	cr->period = (char *)k->period;
	cr->org_unit = (char *)k->org_unit;
	cr->completed = k->completed;
	gtsync__v1__pulled_completion__init(pc);
	pc->registration = cr;
	pc->at_ms = k->at_ms;
	pc->origin_batch.data = (uint8_t *)k->origin_batch;
	pc->origin_batch.len = sizeof(k->origin_batch);
	pc->change_seq = k->change_seq;
}

int gt__protoconv_regs(struct gt__protoconv_regs *g, const struct gt_store_wfstate *states,
                       size_t n_states, const struct gt_store_completion *completions,
                       size_t n_completions)
{
	g->ws = calloc(n_states + 1, sizeof(*g->ws));
	g->states = calloc(n_states + 1, sizeof(*g->states));
	g->pc = calloc(n_completions + 1, sizeof(*g->pc));
	g->completions = calloc(n_completions + 1, sizeof(*g->completions));
	g->cr = calloc(n_completions + 1, sizeof(*g->cr));
	if (!g->ws || !g->states || !g->pc || !g->completions || !g->cr)
		return GT_ENOMEM;
	for (size_t i = 0; i < n_states; i++) {
		gt__protoconv_state(&g->ws[i], &states[i]);
		g->states[i] = &g->ws[i];
	}
	for (size_t i = 0; i < n_completions; i++) {
		gt__protoconv_completion(&g->pc[i], &g->cr[i], &completions[i]);
		g->completions[i] = &g->pc[i];
	}
	return GT_OK;
}

void gt__protoconv_regs_free(struct gt__protoconv_regs *g)
{
	free(g->ws);
	free(g->states);
	free(g->pc);
	free(g->completions);
	free(g->cr);
	memset(g, 0, sizeof(*g));
}
