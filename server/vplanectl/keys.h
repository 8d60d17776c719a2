/* SPDX-License-Identifier: MIT */
/*
 * Key names and text for vplanectl's key and type commands, as Linux key
 * codes (linux/input-event-codes.h). Pure: unit-tested in
 * tests/test_keys.c.
 *
 * A key name is the code's name without KEY_, any case ("a", "f2",
 * "enter", "leftctrl"), or one of the short names ctrl, alt, shift,
 * super (the left ones), altgr (right alt), esc, del, ins, pgup, pgdn,
 * space, tab, win/meta (left super). A chord joins names with '+':
 * "ctrl+alt+f2" presses them in order and releases them in reverse
 * (write "equal" for the + key).
 *
 * Text is typed as on a US keyboard (the guest's layout must be US for
 * the characters to come out as written): printable ASCII (0x20..0x7e),
 * '\n' (enter) and '\t' (tab); upper case and the shifted symbols with
 * left shift held. Anything else is refused (no dead keys, no compose).
 */
#ifndef VPCTL_KEYS_H
#define VPCTL_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VPCTL_CHORD_MAX 8

/* The code of key name @name, false if unknown. */
bool vpctl_key_from_name(const char *name, uint16_t *code);

/* "ctrl+alt+f2" into @codes (VPCTL_CHORD_MAX), @count; false for an
 * empty or unknown name or too many keys. */
bool vpctl_parse_chord(const char *chord, uint16_t *codes, size_t *count);

/* The key and shift state that type @c on a US keyboard; false for a
 * character it has no key for. */
bool vpctl_key_for_char(char c, uint16_t *code, bool *shift);

#endif /* VPCTL_KEYS_H */
