"""What an email says, as opposed to what it quotes: split the reply from the quoted history
and the signature, for plain text and for HTML. Pure functions, no ORM.

The approach follows mailgun/talon's line markers (Apache-2.0): the quotation patterns over
the marker string are talon's, the code and the splitter expressions are ours. Every line is marked e (empty), m (quote marker ">"), s (splitter: "On … wrote:",
"-----Original Message-----", an Outlook "From:/Sent:/To:" block) or t (text), and patterns
over the marker string decide which lines are quotation. A message whose quote is
interleaved with answers (inline replies) is left whole: hiding it would hide the answers.

HTML is converted to text with each line remembering where it starts in the source, so the
quotation found in the text is cut from the HTML at the same place (then sanitised by nh3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

MAX_LINES = 1000  # talon's bound too: beyond this, nothing is hidden (pathological input)
SPLITTER_MAX_LINES = 3

_WROTE = (
    r"wrote|writes|a écrit|a ecrit|schrieb|schreef|escribió|escribio|ha scritto|escreveu|skrev|skrivit|"
    r"napisał|napisal|написал|написала|написал\(а\)|kirjoitti|írta|yazdı|写道|寫道|a scris|έγραψε|kirjutas|"
    r"rašė|rakstīja|napsal|napísal|написа|piše|je napisal|wrote on"
)
# "On Mon, Apr 2, 2012 at 6:26 PM, Megan <m@x.com> wrote:" and its translations; "--- On … wrote:" (Yahoo).
_RE_WROTE = re.compile(rf"(?:{_WROTE})\s*[:：]\s*$", re.IGNORECASE)
# "26.06.2014, 14:41, "Alexander L" <abc@example.com>:" (Yandex), "Thu, 26 Jun 2014 14:00:51 +0400 от A <a@x>:" (Mail.ru).
_RE_DATED_ADDRESS = re.compile(r"\d{1,2}:\d{2}.*<[^<>\s]+@[^<>\s]+>\s*[:：]\s*$")
# Lines a wrapped splitter may start with: "On …", a date, "Le …", "Am …".
_RE_SPLITTER_START = re.compile(
    r"^\s*(?:-+\s*)?(?:on|le|am|op|el|il|em|den|dne|w dniu|в|kl\.|pada|在|the)\b|^\s*(?:-+\s*)?\d", re.IGNORECASE
)
_RE_ORIGINAL = re.compile(
    r"^\s*[-_=*\s]*(?:original message|reply message|ursprüngliche nachricht|urspr\. nachricht|message d'origine|"
    r"mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original|原始邮件|原始郵件|"
    r"исходное сообщение|alkuperäinen viesti|opprinnelig melding|ursprungligt meddelande)[-_=*\s]*$",
    re.IGNORECASE,
)
_RE_FORWARD = re.compile(
    r"^\s*[-_=*\s]*(?:forwarded message|begin forwarded message|weitergeleitete nachricht|message transféré|"
    r"mensaje reenviado|messaggio inoltrato|пересылаемое сообщение|转发的邮件)[-_=*:\s]*$",
    re.IGNORECASE,
)
_FROM_KEYS = r"from|von|de|da|van|от|från|fra|od|feladó|lähettäjä|发件人|寄件者|差出人|보낸 사람"
_OTHER_KEYS = (
    r"sent|date|to|subject|cc|gesendet|datum|an|betreff|envoyé|envoye|à|objet|enviado|enviada|fecha|para|asunto|"
    r"inviato|data|a|oggetto|verzonden|aan|onderwerp|assunto|отправлено|дата|кому|тема|skickat|till|ämne|"
    r"发送时间|发送日期|收件人|主题|日期|寄件日期|收件者|主旨|送信日時|宛先|件名|날짜|받는 사람|제목"
)
_RE_HEADER_LINE = re.compile(rf"^\s*[*]?\s*({_FROM_KEYS}|{_OTHER_KEYS})\s*[*]?\s*[:：]", re.IGNORECASE)
_RE_FROM_KEY = re.compile(rf"^(?:{_FROM_KEYS})$", re.IGNORECASE)
_RE_QUOTE_MARK = re.compile(r"^\s?>")
_RE_SEPARATOR = re.compile(r"^\s*[-_=*~]{3,}\s*$")
_RE_PARENTHESIS_LINK = re.compile(r"\(https?://|<https?://")

# Quotation: a splitter (or 2+ quote lines), anything, ending in quote lines; only text after.
_RE_QUOTATION = re.compile(r"((?:s|(?:me*){2,}).*me*)[te]*$")
_RE_EMPTY_QUOTATION = re.compile(r"((?:(?:se*)+|(?:me*){2,}))e*")
_RE_SPLITTER_THEN_TEXT = re.compile(r"(se*)+((t|f)+e*)+")
_RE_INLINE_REPLY = re.compile(r"(?<=m)e*(t[te]*)m")


@dataclass(frozen=True)
class Split:
    reply: str
    quoted: str  # the hidden part ("" when nothing was hidden)


def _is_header_block(lines: list[str], i: int) -> bool:
    """An Outlook-style "From: … / Sent: … / To: …" block starts at line i."""
    first = _RE_HEADER_LINE.match(lines[i])
    if not first:
        return False
    keys = []
    for line in lines[i : i + 8]:
        if not line.strip():
            continue
        match = _RE_HEADER_LINE.match(line)
        if not match:
            break
        keys.append(match.group(1).lower())
    return len(set(keys)) >= 2 and any(_RE_FROM_KEY.match(key) for key in keys)


def _splitter_length(lines: list[str], i: int) -> int:
    """How many lines the splitter starting at line i spans (0: no splitter there)."""
    line = lines[i]
    if _RE_ORIGINAL.match(line) or (
        _RE_SEPARATOR.match(line) and i + 1 < len(lines) and _is_header_block(lines, i + 1)
    ):
        return 1
    if _is_header_block(lines, i):
        return 1
    if len(line) < 300 and (_RE_WROTE.search(line) or _RE_DATED_ADDRESS.search(line)):
        return 1
    if _RE_SPLITTER_START.match(line):
        for n in range(2, SPLITTER_MAX_LINES + 1):
            group = lines[i : i + n]
            if len(group) < n or not group[-1].strip() or _RE_QUOTE_MARK.match(group[-1]):
                break
            joined = " ".join(part.strip() for part in group)
            if len(joined) < 300 and (_RE_WROTE.search(joined) or _RE_DATED_ADDRESS.search(joined)):
                return n
    return 0


def mark_lines(lines: list[str]) -> str:
    markers = ["t"] * len(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            markers[i] = "e"
        elif _RE_QUOTE_MARK.match(line):
            markers[i] = "m"
        elif _RE_FORWARD.match(line):
            markers[i] = "f"
        else:
            n = _splitter_length(lines, i)
            if n:
                for j in range(i, i + n):
                    markers[j] = "s"
                i += n
                continue
        i += 1
    return "".join(markers)


def quotation_span(lines: list[str]) -> tuple[int, int] | None:
    """The [start, end) line range that is quotation, or None to keep the message whole."""
    if not lines or len(lines) > MAX_LINES:
        return None
    markers = mark_lines(lines)
    # Without a splitter, a lone ">" line or two is more likely a quote-styled sentence than history.
    if "s" not in markers and not re.search(r"(me*){3}", markers):
        markers = markers.replace("m", "t")
    # A forward at the top: the forwarded mail is the content.
    if re.match(r"[te]*f", markers):
        return None
    for inline in _RE_INLINE_REPLY.finditer(markers):
        before = lines[inline.start() - 1] if inline.start() else ""
        if not (_RE_PARENTHESIS_LINK.search(before) or _RE_PARENTHESIS_LINK.match(lines[inline.start()].strip())):
            return None
    match = _RE_SPLITTER_THEN_TEXT.search(markers)
    if match:
        return match.start(), len(lines)
    match = _RE_QUOTATION.search(markers) or _RE_EMPTY_QUOTATION.search(markers)
    if match:
        return match.start(1), match.end(1)
    return None


def _trim_separators(lines: list[str]) -> list[str]:
    """Drop the "____" / "-----" rule a client puts above the quoted history."""
    while lines and (not lines[-1].strip() or _RE_SEPARATOR.match(lines[-1])):
        lines = lines[:-1]
    return lines


def split_quotation(text: str) -> Split:
    """The reply and the quoted history of a plain-text body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    span = quotation_span(lines)
    if span is None:
        return Split(reply=text.strip(), quoted="")
    start, end = span
    reply_lines = _trim_separators(lines[:start]) + lines[end:]
    reply = "\n".join(reply_lines).strip()
    if not reply:  # all quotation (a bare forward of the thread): show it rather than nothing
        return Split(reply=text.strip(), quoted="")
    return Split(reply=reply, quoted="\n".join(lines[start:end]).strip())


# --- signatures -------------------------------------------------------------------------------

SIGNATURE_MAX_LINES = 25
_RE_SIG_DELIMITER = re.compile(r"^\s*(?:--|__|—|-{2,}\s*|_{2,}\s*|-- )\s*$")
_RE_MOBILE = re.compile(
    r"^\s*(?:sent from my|sent from|get outlook for|envoyé de mon|von meinem|enviado desde mi|inviato da|"
    r"verzonden met|sent with|sent via|отправлено с)\b",
    re.IGNORECASE,
)
_RE_CLOSING = re.compile(
    r"^\s*(?:thanks|thank you|thx|cheers|regards|best|best regards|kind regards|warm regards|many thanks|"
    r"sincerely|yours|all the best|mit freundlichen grüßen|viele grüße|cordialement|saludos|un saludo|"
    r"grazie|cordiali saluti|met vriendelijke groet|с уважением|спасибо)\b[ ,.!]*$",
    re.IGNORECASE,
)


def _name_parts(sender: str) -> list[str]:
    sender = sender.strip().lower()
    parts: list[str] = []
    if "@" in sender:
        parts.append(sender)
        local = sender.split("@")[0]
        parts.extend(p for p in re.split(r"[._+\-]", local) if len(p) >= 3)
    else:
        parts.extend(p for p in re.split(r"\s+", sender) if len(p) >= 2)
    return parts


def split_signature(reply: str, sender: str = "") -> tuple[str, str]:
    """(body, signature): the signature is the trailing block that starts at a "-- " delimiter,
    a rule, a "Sent from my …" line, or a closing ("Thanks,") / the sender's name, in the last
    lines of the reply. Returns (reply, "") when nothing looks like one."""
    lines = reply.rstrip().split("\n")
    if len(lines) < 2:
        return reply.strip(), ""
    first_candidate = max(1, len(lines) - SIGNATURE_MAX_LINES)
    start = None
    for i in range(first_candidate, len(lines)):
        line = lines[i]
        if _RE_SIG_DELIMITER.match(line) or _RE_MOBILE.match(line):
            start = i
            break
    if start is None:
        names = _name_parts(sender)
        # The last paragraph, if it is short and names the sender (or is a closing plus a name).
        para_start = len(lines)
        while para_start > 0 and lines[para_start - 1].strip():
            para_start -= 1
        paragraph = lines[para_start:]
        if para_start > 0 and 1 <= len(paragraph) <= 8 and all(len(line) < 80 for line in paragraph):
            low = "\n".join(paragraph).lower()
            if (names and any(name in low for name in names)) or (
                len(paragraph) == 2 and _RE_CLOSING.match(paragraph[0])
            ):
                start = para_start
    if start is None:
        return reply.strip(), ""
    body = "\n".join(lines[:start]).strip()
    if not body:
        return reply.strip(), ""
    return body, "\n".join(lines[start:]).strip()


# --- HTML -------------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "hr", "pre", "section", "article", "header", "footer", "dl", "dt", "dd",
}  # fmt: skip
_SKIP_TAGS = {"head", "style", "script", "title", "xml"}


class _TextWithOffsets(HTMLParser):
    """HTML → text lines, each remembering the source offset where it began."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self._line_starts = [0]
        for index, char in enumerate(source):
            if char == "\n":
                self._line_starts.append(index + 1)
        self.lines: list[str] = [""]
        self.offsets: list[int] = [0]
        self.quote_depth = 0
        self.skip = 0
        self.pre = 0

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def _newline(self) -> None:
        """End the current line if it has text; an empty line keeps its (earlier) start."""
        if self.lines[-1].strip(" >"):
            self.lines.append("")
            self.offsets.append(self._offset())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        if tag == "br" and not self.lines[-1].strip(" >"):
            self.lines.append("")  # <br><br>: an empty line
            self.offsets.append(self._offset())
        elif tag in _BLOCK_TAGS:
            self._newline()
        if tag == "blockquote":
            self.quote_depth += 1
        if tag == "pre":
            self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1
        if tag == "blockquote" and self.quote_depth:
            self.quote_depth -= 1
        if tag == "pre" and self.pre:
            self.pre -= 1
        if tag in _BLOCK_TAGS and tag != "br":
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
        parts = data.split("\n")
        for n, part in enumerate(parts):
            if n:
                self.lines.append("")
                self.offsets.append(self._offset())
            if not self.lines[-1] and not part.strip():
                continue
            if not self.lines[-1] and self.quote_depth:
                self.lines[-1] = "> " * self.quote_depth
            self.lines[-1] += part.lstrip() if not self.lines[-1].strip(" >") else part


def html_lines(html: str) -> tuple[list[str], list[int]]:
    parser = _TextWithOffsets(html)
    parser.feed(html)
    parser.close()
    lines = [line.rstrip() for line in parser.lines]
    return lines, parser.offsets


@dataclass(frozen=True)
class HtmlSplit:
    reply_html: str  # unsanitised: the caller cleans it
    reply_text: str
    quoted_text: str
    full_text: str


def _squeeze(lines: list[str]) -> str:
    text = "\n".join(line.strip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def split_html(html: str) -> HtmlSplit:
    """The reply part of an HTML body (as HTML and as text) and its quoted history as text."""
    lines, offsets = html_lines(html)
    full_text = _squeeze(lines)
    span = quotation_span(lines)
    if span is None:
        return HtmlSplit(reply_html=html, reply_text=full_text, quoted_text="", full_text=full_text)
    start, end = span
    reply_lines = _trim_separators(lines[:start]) + lines[end:]
    reply_text = _squeeze(reply_lines)
    if not reply_text:
        return HtmlSplit(reply_html=html, reply_text=full_text, quoted_text="", full_text=full_text)
    cut_start = offsets[start]
    reply_html = html[:cut_start]
    if end < len(lines):
        reply_html += html[offsets[end] :]
    return HtmlSplit(
        reply_html=reply_html,
        reply_text=reply_text,
        quoted_text=_squeeze(lines[start:end]),
        full_text=full_text,
    )
