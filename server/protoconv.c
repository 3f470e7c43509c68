/* Store rows as protocol messages, shared by the pull and the export replies. */
#include "protoconv.h"

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
