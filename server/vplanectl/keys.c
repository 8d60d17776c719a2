// SPDX-License-Identifier: MIT
/* Key names, chords and US-layout text (keys.h). */
#include <string.h>
#include <strings.h>

#include <linux/input-event-codes.h>

#include "keys.h"

struct key_name {
	const char *name;
	uint16_t code;
};

/* the short names people write, before the codes' own names */
static const struct key_name short_names[] = {
	{ "ctrl", KEY_LEFTCTRL },   { "control", KEY_LEFTCTRL },
	{ "alt", KEY_LEFTALT },	    { "altgr", KEY_RIGHTALT },
	{ "shift", KEY_LEFTSHIFT }, { "super", KEY_LEFTMETA },
	{ "win", KEY_LEFTMETA },    { "meta", KEY_LEFTMETA },
	{ "del", KEY_DELETE },	    { "ins", KEY_INSERT },
	{ "pgup", KEY_PAGEUP },	    { "pgdn", KEY_PAGEDOWN },
	{ "return", KEY_ENTER },    { "escape", KEY_ESC },
};

/* every KEY_ name of linux/input-event-codes.h up to KEY_MICMUTE (the
 * keyboard's range, driver/ABI.md), without KEY_, lower case */
static const struct key_name code_names[] = {
	{ "esc", KEY_ESC },
	{ "1", KEY_1 },
	{ "2", KEY_2 },
	{ "3", KEY_3 },
	{ "4", KEY_4 },
	{ "5", KEY_5 },
	{ "6", KEY_6 },
	{ "7", KEY_7 },
	{ "8", KEY_8 },
	{ "9", KEY_9 },
	{ "0", KEY_0 },
	{ "minus", KEY_MINUS },
	{ "equal", KEY_EQUAL },
	{ "backspace", KEY_BACKSPACE },
	{ "tab", KEY_TAB },
	{ "q", KEY_Q },
	{ "w", KEY_W },
	{ "e", KEY_E },
	{ "r", KEY_R },
	{ "t", KEY_T },
	{ "y", KEY_Y },
	{ "u", KEY_U },
	{ "i", KEY_I },
	{ "o", KEY_O },
	{ "p", KEY_P },
	{ "leftbrace", KEY_LEFTBRACE },
	{ "rightbrace", KEY_RIGHTBRACE },
	{ "enter", KEY_ENTER },
	{ "leftctrl", KEY_LEFTCTRL },
	{ "a", KEY_A },
	{ "s", KEY_S },
	{ "d", KEY_D },
	{ "f", KEY_F },
	{ "g", KEY_G },
	{ "h", KEY_H },
	{ "j", KEY_J },
	{ "k", KEY_K },
	{ "l", KEY_L },
	{ "semicolon", KEY_SEMICOLON },
	{ "apostrophe", KEY_APOSTROPHE },
	{ "grave", KEY_GRAVE },
	{ "leftshift", KEY_LEFTSHIFT },
	{ "backslash", KEY_BACKSLASH },
	{ "z", KEY_Z },
	{ "x", KEY_X },
	{ "c", KEY_C },
	{ "v", KEY_V },
	{ "b", KEY_B },
	{ "n", KEY_N },
	{ "m", KEY_M },
	{ "comma", KEY_COMMA },
	{ "dot", KEY_DOT },
	{ "slash", KEY_SLASH },
	{ "rightshift", KEY_RIGHTSHIFT },
	{ "kpasterisk", KEY_KPASTERISK },
	{ "leftalt", KEY_LEFTALT },
	{ "space", KEY_SPACE },
	{ "capslock", KEY_CAPSLOCK },
	{ "f1", KEY_F1 },
	{ "f2", KEY_F2 },
	{ "f3", KEY_F3 },
	{ "f4", KEY_F4 },
	{ "f5", KEY_F5 },
	{ "f6", KEY_F6 },
	{ "f7", KEY_F7 },
	{ "f8", KEY_F8 },
	{ "f9", KEY_F9 },
	{ "f10", KEY_F10 },
	{ "numlock", KEY_NUMLOCK },
	{ "scrolllock", KEY_SCROLLLOCK },
	{ "kp7", KEY_KP7 },
	{ "kp8", KEY_KP8 },
	{ "kp9", KEY_KP9 },
	{ "kpminus", KEY_KPMINUS },
	{ "kp4", KEY_KP4 },
	{ "kp5", KEY_KP5 },
	{ "kp6", KEY_KP6 },
	{ "kpplus", KEY_KPPLUS },
	{ "kp1", KEY_KP1 },
	{ "kp2", KEY_KP2 },
	{ "kp3", KEY_KP3 },
	{ "kp0", KEY_KP0 },
	{ "kpdot", KEY_KPDOT },
	{ "zenkakuhankaku", KEY_ZENKAKUHANKAKU },
	{ "102nd", KEY_102ND },
	{ "f11", KEY_F11 },
	{ "f12", KEY_F12 },
	{ "ro", KEY_RO },
	{ "katakana", KEY_KATAKANA },
	{ "hiragana", KEY_HIRAGANA },
	{ "henkan", KEY_HENKAN },
	{ "katakanahiragana", KEY_KATAKANAHIRAGANA },
	{ "muhenkan", KEY_MUHENKAN },
	{ "kpjpcomma", KEY_KPJPCOMMA },
	{ "kpenter", KEY_KPENTER },
	{ "rightctrl", KEY_RIGHTCTRL },
	{ "kpslash", KEY_KPSLASH },
	{ "sysrq", KEY_SYSRQ },
	{ "rightalt", KEY_RIGHTALT },
	{ "linefeed", KEY_LINEFEED },
	{ "home", KEY_HOME },
	{ "up", KEY_UP },
	{ "pageup", KEY_PAGEUP },
	{ "left", KEY_LEFT },
	{ "right", KEY_RIGHT },
	{ "end", KEY_END },
	{ "down", KEY_DOWN },
	{ "pagedown", KEY_PAGEDOWN },
	{ "insert", KEY_INSERT },
	{ "delete", KEY_DELETE },
	{ "macro", KEY_MACRO },
	{ "mute", KEY_MUTE },
	{ "volumedown", KEY_VOLUMEDOWN },
	{ "volumeup", KEY_VOLUMEUP },
	{ "power", KEY_POWER },
	{ "kpequal", KEY_KPEQUAL },
	{ "kpplusminus", KEY_KPPLUSMINUS },
	{ "pause", KEY_PAUSE },
	{ "scale", KEY_SCALE },
	{ "kpcomma", KEY_KPCOMMA },
	{ "hangeul", KEY_HANGEUL },
	{ "hanja", KEY_HANJA },
	{ "yen", KEY_YEN },
	{ "leftmeta", KEY_LEFTMETA },
	{ "rightmeta", KEY_RIGHTMETA },
	{ "compose", KEY_COMPOSE },
	{ "stop", KEY_STOP },
	{ "again", KEY_AGAIN },
	{ "props", KEY_PROPS },
	{ "undo", KEY_UNDO },
	{ "front", KEY_FRONT },
	{ "copy", KEY_COPY },
	{ "open", KEY_OPEN },
	{ "paste", KEY_PASTE },
	{ "find", KEY_FIND },
	{ "cut", KEY_CUT },
	{ "help", KEY_HELP },
	{ "menu", KEY_MENU },
	{ "calc", KEY_CALC },
	{ "setup", KEY_SETUP },
	{ "sleep", KEY_SLEEP },
	{ "wakeup", KEY_WAKEUP },
	{ "file", KEY_FILE },
	{ "sendfile", KEY_SENDFILE },
	{ "deletefile", KEY_DELETEFILE },
	{ "xfer", KEY_XFER },
	{ "prog1", KEY_PROG1 },
	{ "prog2", KEY_PROG2 },
	{ "www", KEY_WWW },
	{ "msdos", KEY_MSDOS },
	{ "coffee", KEY_COFFEE },
	{ "rotate_display", KEY_ROTATE_DISPLAY },
	{ "cyclewindows", KEY_CYCLEWINDOWS },
	{ "mail", KEY_MAIL },
	{ "bookmarks", KEY_BOOKMARKS },
	{ "computer", KEY_COMPUTER },
	{ "back", KEY_BACK },
	{ "forward", KEY_FORWARD },
	{ "closecd", KEY_CLOSECD },
	{ "ejectcd", KEY_EJECTCD },
	{ "ejectclosecd", KEY_EJECTCLOSECD },
	{ "nextsong", KEY_NEXTSONG },
	{ "playpause", KEY_PLAYPAUSE },
	{ "previoussong", KEY_PREVIOUSSONG },
	{ "stopcd", KEY_STOPCD },
	{ "record", KEY_RECORD },
	{ "rewind", KEY_REWIND },
	{ "phone", KEY_PHONE },
	{ "iso", KEY_ISO },
	{ "config", KEY_CONFIG },
	{ "homepage", KEY_HOMEPAGE },
	{ "refresh", KEY_REFRESH },
	{ "exit", KEY_EXIT },
	{ "move", KEY_MOVE },
	{ "edit", KEY_EDIT },
	{ "scrollup", KEY_SCROLLUP },
	{ "scrolldown", KEY_SCROLLDOWN },
	{ "kpleftparen", KEY_KPLEFTPAREN },
	{ "kprightparen", KEY_KPRIGHTPAREN },
	{ "new", KEY_NEW },
	{ "redo", KEY_REDO },
	{ "f13", KEY_F13 },
	{ "f14", KEY_F14 },
	{ "f15", KEY_F15 },
	{ "f16", KEY_F16 },
	{ "f17", KEY_F17 },
	{ "f18", KEY_F18 },
	{ "f19", KEY_F19 },
	{ "f20", KEY_F20 },
	{ "f21", KEY_F21 },
	{ "f22", KEY_F22 },
	{ "f23", KEY_F23 },
	{ "f24", KEY_F24 },
	{ "playcd", KEY_PLAYCD },
	{ "pausecd", KEY_PAUSECD },
	{ "prog3", KEY_PROG3 },
	{ "prog4", KEY_PROG4 },
	{ "all_applications", KEY_ALL_APPLICATIONS },
	{ "suspend", KEY_SUSPEND },
	{ "close", KEY_CLOSE },
	{ "play", KEY_PLAY },
	{ "fastforward", KEY_FASTFORWARD },
	{ "bassboost", KEY_BASSBOOST },
	{ "print", KEY_PRINT },
	{ "hp", KEY_HP },
	{ "camera", KEY_CAMERA },
	{ "sound", KEY_SOUND },
	{ "question", KEY_QUESTION },
	{ "email", KEY_EMAIL },
	{ "chat", KEY_CHAT },
	{ "search", KEY_SEARCH },
	{ "connect", KEY_CONNECT },
	{ "finance", KEY_FINANCE },
	{ "sport", KEY_SPORT },
	{ "shop", KEY_SHOP },
	{ "alterase", KEY_ALTERASE },
	{ "cancel", KEY_CANCEL },
	{ "brightnessdown", KEY_BRIGHTNESSDOWN },
	{ "brightnessup", KEY_BRIGHTNESSUP },
	{ "media", KEY_MEDIA },
	{ "switchvideomode", KEY_SWITCHVIDEOMODE },
	{ "kbdillumtoggle", KEY_KBDILLUMTOGGLE },
	{ "kbdillumdown", KEY_KBDILLUMDOWN },
	{ "kbdillumup", KEY_KBDILLUMUP },
	{ "send", KEY_SEND },
	{ "reply", KEY_REPLY },
	{ "forwardmail", KEY_FORWARDMAIL },
	{ "save", KEY_SAVE },
	{ "documents", KEY_DOCUMENTS },
	{ "battery", KEY_BATTERY },
	{ "bluetooth", KEY_BLUETOOTH },
	{ "wlan", KEY_WLAN },
	{ "uwb", KEY_UWB },
	{ "unknown", KEY_UNKNOWN },
	{ "video_next", KEY_VIDEO_NEXT },
	{ "video_prev", KEY_VIDEO_PREV },
	{ "brightness_cycle", KEY_BRIGHTNESS_CYCLE },
	{ "brightness_auto", KEY_BRIGHTNESS_AUTO },
	{ "display_off", KEY_DISPLAY_OFF },
	{ "wwan", KEY_WWAN },
	{ "rfkill", KEY_RFKILL },
	{ "micmute", KEY_MICMUTE },
};

static bool find(const struct key_name *table, size_t n, const char *name,
		 uint16_t *code)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcasecmp(table[i].name, name)) {
			*code = table[i].code;
			return true;
		}
	}
	return false;
}

bool vpctl_key_from_name(const char *name, uint16_t *code)
{
	if (!strncasecmp(name, "key_", 4))
		name += 4;
	return find(short_names, sizeof(short_names) / sizeof(short_names[0]),
		    name, code) ||
	       find(code_names, sizeof(code_names) / sizeof(code_names[0]),
		    name, code);
}

bool vpctl_parse_chord(const char *chord, uint16_t *codes, size_t *count)
{
	char name[32];
	const char *p = chord;
	size_t len;

	*count = 0;
	for (;;) {
		len = strcspn(p, "+");
		if (!len || len >= sizeof(name) || *count == VPCTL_CHORD_MAX)
			return false;
		memcpy(name, p, len);
		name[len] = 0;
		if (!vpctl_key_from_name(name, &codes[(*count)++]))
			return false;
		if (!p[len])
			return true;
		p += len + 1;
	}
}

/* US layout: the unshifted and shifted character of each key */
static const struct {
	char plain, shifted;
	uint16_t code;
} us_keys[] = {
	{ '1', '!', KEY_1 },	     { '2', '@', KEY_2 },
	{ '3', '#', KEY_3 },	     { '4', '$', KEY_4 },
	{ '5', '%', KEY_5 },	     { '6', '^', KEY_6 },
	{ '7', '&', KEY_7 },	     { '8', '*', KEY_8 },
	{ '9', '(', KEY_9 },	     { '0', ')', KEY_0 },
	{ '-', '_', KEY_MINUS },     { '=', '+', KEY_EQUAL },
	{ '[', '{', KEY_LEFTBRACE }, { ']', '}', KEY_RIGHTBRACE },
	{ ';', ':', KEY_SEMICOLON }, { '\'', '"', KEY_APOSTROPHE },
	{ '`', '~', KEY_GRAVE },     { '\\', '|', KEY_BACKSLASH },
	{ ',', '<', KEY_COMMA },     { '.', '>', KEY_DOT },
	{ '/', '?', KEY_SLASH },     { ' ', 0, KEY_SPACE },
	{ '\n', 0, KEY_ENTER },	     { '\t', 0, KEY_TAB },
};

/* the letter keys in alphabetical order (their codes follow the rows) */
static const uint16_t letters[26] = {
	KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I,
	KEY_J, KEY_K, KEY_L, KEY_M, KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R,
	KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z,
};

bool vpctl_key_for_char(char c, uint16_t *code, bool *shift)
{
	size_t i;

	if (c >= 'a' && c <= 'z') {
		*code = letters[c - 'a'];
		*shift = false;
		return true;
	}
	if (c >= 'A' && c <= 'Z') {
		*code = letters[c - 'A'];
		*shift = true;
		return true;
	}
	for (i = 0; i < sizeof(us_keys) / sizeof(us_keys[0]); i++) {
		if (c && (c == us_keys[i].plain || c == us_keys[i].shifted)) {
			*code = us_keys[i].code;
			*shift = c == us_keys[i].shifted;
			return true;
		}
	}
	return false;
}
