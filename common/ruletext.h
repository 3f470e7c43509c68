/* Validation rules in words a person understands, with the values they were evaluated with. */
#ifndef GT_RULETEXT_H
#define GT_RULETEXT_H

#include <stddef.h>

#include "metadata.h"

/* The relation a rule asks for ("=", "≠", "≤", "<", "≥", ">"), and the one that holds when it
 * fails ("≠" for eq, ">" for le, ...); static UTF-8 strings, "?" for unknown values. */
const char *gt_ruletext_op(enum gt_meta_op op);
const char *gt_ruletext_op_failed(enum gt_meta_op op);

/* Writes one side of a rule in words into buf[0..len): the names of its operands joined by
 * " + " or " − " ("Korban TPPO teridentifikasi, Anak perempuan + 2"); an element's total is
 * its name, one option is "ELEMENT NAME, OPTION NAME", a number is written as a number.
 * Returns the length the whole text needs (as snprintf); buf is always NUL-terminated when len
 * is not 0. */
size_t gt_ruletext_side(const struct gt_meta_operand *ops, size_t n, char *buf, size_t len);

/*
 * Writes a failed evaluation of rule r in words into buf[0..len): each side in words with its
 * value in parentheses (a side of numbers only is its own value), and the relation that holds
 * instead of the rule's:
 *   "Korban TPPO teridentifikasi (3) ≠ Jumlah korban TPPO teridentifikasi (5)"
 * Values are written as integers when they are whole, else with up to six significant digits.
 * A text that does not fit is cut at a character boundary and ends with "…". Returns the
 * length written. Borrowed: everything.
 */
size_t gt_ruletext_violation(const struct gt_meta_rule *r, const struct gt_meta_rule_result *res,
                             char *buf, size_t len);

#endif
