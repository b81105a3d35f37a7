"""Reform topics an article substantively discusses, scored from weighted cue phrases per sentence."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict

from common import lexicon
from common.text import (
    finditer_at,
    finditer_opening_with,
    listed_class,
    normalise,
    occurrences,
    unchanged_by_upper,
)
from schemas.extraction import TOPIC_IDS, Topic
from services.extract.engine.doc import Document
from services.extract.engine.legal_documents import literal_trie
from services.extract.engine.rules import rule


def _load_cues() -> dict[str, dict[str, float]]:
    """topic -> {cue phrase or pattern: weight}, from the lexicon's topic_cues.tsv."""
    cues: dict[str, dict[str, float]] = defaultdict(dict)
    for topic, weight, phrase in lexicon.rows("topic_cues.tsv"):
        cues[topic][phrase] = float(weight)
    return dict(cues)


_CUES = _load_cues()

_ASIDE_PHRASES = r"(?:điển\s+hình\s+như|chẳng\s+hạn\s+như|ví\s+dụ\s+như|nhất\s+là|kể\s+cả)"
_ASIDE = re.compile(_ASIDE_PHRASES + r"\s+(?:\w+\s+){0,2}$")
# Where an aside phrase can open: its first word, found by str.find (the regex engine would stop at every "c" and "n").
_ASIDE_OPENING = re.compile(_ASIDE_PHRASES)
_ASIDE_FIRST_WORDS = ("điển", "chẳng", "ví", "nhất", "kể")
# Agencies merged: `hop_nhat_co_quan` even in a sentence about merging provinces or communes.
_AGENCY = re.compile(
    r"(?<!\w)(?:hợp nhất|sáp nhập|sát nhập)(?:\s+\S+){0,4}?\s+"
    r"(?:sở|ban|cơ quan|phòng|văn phòng|chi cục|cục|tổng cục|bộ|ủy ban|uỷ ban)(?!\w)"
)
# Agencies named before the verb: "Sở Kế hoạch và Đầu tư sẽ hợp nhất với ...".
_AGENCY_MERGING = re.compile(
    r"(?<!\w)(?:sở|ban|cơ quan|văn phòng|chi cục|cục)(?:\s+\S+){0,8}?\s+(?:hợp nhất|sáp nhập|sát nhập)(?!\w)"
)
# Places as what merges: "hợp nhất các tỉnh", "sáp nhập 3 xã", or a place by its name ("phường Hưng Lợi sáp nhập").
_PLACES_MERGED = re.compile(
    r"(?<!\w)(?:hợp nhất|sáp nhập|sát nhập)(?:\s+\S+){0,2}?\s+(?:tỉnh|huyện|xã|phường|thị trấn|thành phố|tp|đơn vị hành chính"
    r"|đvhc)(?!\w)"
)
_NAMED_PLACE = re.compile(r"(?<!\w)(?:[Tt]ỉnh|[Hh]uyện|[Xx]ã|[Pp]hường|[Tt]hị trấn|[Tt]hành phố|TP\.?)\s+[A-ZĐÂĂÊÔƠƯ]")
_SERVICE_UNITS_MERGED = re.compile(
    r"(?<!\w)(?:hợp nhất|sáp nhập|sát nhập)(?:\s+\S+){0,3}?\s+"
    r"(?:trung tâm|trường|bệnh viện|trạm|đơn vị sự nghiệp)(?!\w)"
)
# Each of the four patterns above needs one of these verbs, written as they are: a sentence without any is
# not searched with them.
_MERGE_VERBS = ("hợp nhất", "sáp nhập", "sát nhập")
# Every match of _NAMED_PLACE opens with one of these, as written in the document.
_PLACE_WORDS = tuple(
    spelling
    for word in ("tỉnh", "huyện", "xã", "phường", "thị trấn", "thành phố")
    for spelling in (word, word[0].upper() + word[1:])
) + ("TP",)
_THRESHOLD = 2.0
_SENTENCE_CAP = 3.0
_SHORT_SENTENCE_WORDS = 7  # a bare list item split off by ";" counts half
_MAX_EVIDENCE = 5
# Punctuation: neither a word character nor a blank. Listed (`listed_class`), so the pass over the whole text
# looks each character up in a bitmap instead of reading its categories.
_PUNCTUATION = re.compile(listed_class(r"[^\w\s]"))
# The commonest marks of the articles, blanked by str.replace before that pass: the regex then has few matches to
# make, each of which costs it more than the characters it reads past.
_COMMON_PUNCTUATION = ",.;-/()"
_WORD = re.compile(r"\w+")
_SHOUTED_WORDS = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")


def _normalise(text: str) -> str:
    """Lower case, new-style tone marks, punctuation as spaces; every character keeps its offset."""
    return _blank_punctuation(normalise(text).lower())


def _blank_punctuation(text: str) -> str:
    """`_PUNCTUATION.sub(" ", text)`: the common marks (all of them punctuation) go first, by str.replace."""
    for mark in _COMMON_PUNCTUATION:
        text = text.replace(mark, " ")
    return _PUNCTUATION.sub(" ", text)


def _is_pattern(phrase: str) -> bool:
    return any(c in phrase for c in "\\()?")


def _compile_cues():
    """Plain cues indexed by their first word; pattern cues compiled, each gated by literals it needs."""
    plain: dict[tuple[str, ...], list[tuple[str, float]]] = defaultdict(list)
    patterns: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for topic, cues in _CUES.items():
        for phrase, weight in cues.items():
            if _is_pattern(phrase):
                patterns[phrase].append((topic, weight))
            else:
                plain[tuple(_normalise(phrase).split())].append((topic, weight))
    cue_ids: dict[str, int] = {}
    cue_topics: list[list[tuple[str, float]]] = []
    for words, topics in plain.items():
        cue_ids[" ".join(words)] = len(cue_topics)
        cue_topics.append(topics)
    # A cue opens a word: in the normalised text every character is a word character or a blank, so the cue follows
    # a blank (the scan puts one before the text). Led by the blank, the scan skips ahead to word starts.
    plain_regex = re.compile(rf"\s(?:{literal_trie(list(cue_ids))})(?!\w)")
    compiled = []
    for phrase, topics in patterns.items():
        spaced = phrase.replace(" ", r"\s+")  # punctuation became spaces, so gaps may be wider
        # No leading lookbehind: a literal start lets the regex engine skip ahead fast; the word
        # boundary before the match is checked by the caller.
        regex = re.compile(rf"(?:{spaced})(?!\w)")
        gates = _gates(phrase)
        gate_words = tuple((gate, gate.split(" ", 1)[0]) for gate in gates)
        if not all(word for _, word in gate_words):
            raise ValueError(f"a pattern cue must open with a word: {phrase!r}")
        compiled.append((gate_words, _leading_words(phrase, gates), regex, len(cue_topics)))
        cue_topics.append(topics)
    return plain_regex, cue_ids, cue_topics, compiled


def _gates(pattern: str) -> tuple[str, ...]:
    """Literals one of which a pattern cue needs: its leading word, or each branch of a leading group."""
    group = re.match(r"\(\?:([^()]+)\)", pattern)
    if group:
        return tuple(branch.strip() for branch in group.group(1).split("|"))
    return (re.match(r"[^\\()?|]+", pattern).group(0).strip(),)


def _leading_words(phrase: str, gates: tuple[str, ...]) -> tuple[str, ...] | None:
    """The words every match of a pattern cue opens with: the first word of each gate, when the phrase opens with
    its gates unquantified (a gate's blanks may be any run of blanks in a match, its first word is written as it
    is) and has no alternative beside them. None when the phrase does not say so plainly."""
    words = tuple(gate.split(" ", 1)[0] for gate in gates)
    if _has_top_level_bar(phrase) or not all(word and re.escape(word) == word for word in words):
        return None
    lead = f"(?:{'|'.join(gates)})" if len(gates) > 1 else words[0]
    after = phrase[len(lead):len(lead) + 1]
    return words if phrase.startswith(lead) and after in ("", " ", "(") else None


def _has_top_level_bar(pattern: str) -> bool:
    depth, escaped, in_class = 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch in "()":
            depth += 1 if ch == "(" else -1
        elif ch == "|" and depth == 0:
            return True
    return False


_PLAIN_CUES, _PLAIN_CUE_IDS, _CUE_TOPICS, _PATTERN_CUES = _compile_cues()


def _strongest_plain_cue(topic: str) -> str:
    plain = [(weight, phrase) for phrase, weight in _CUES[topic].items() if not _is_pattern(phrase)]
    return max(plain, key=lambda wp: (wp[0], -len(wp[1])))[1]


# One rule per topic: its cues in topic_cues.tsv, weighed per sentence (see find_topics). Each is tested on a
# sentence made of its strongest cue, and must stay silent on a sentence about something else.
RULE_OF_TOPIC = {
    topic: rule(
        f"topic.{topic}", "topics", f"the cues of {topic} in topic_cues.tsv add up to {_THRESHOLD:g} with one clear sign",
        examples=(f"Năm nay tỉnh tiếp tục thực hiện nghiêm việc {_strongest_plain_cue(topic)} theo kế hoạch.",),
        counterexamples=("Năm nay tỉnh tổ chức lễ hội văn hóa truyền thống rất đông vui.",),
    )
    for topic in TOPIC_IDS
}


def find_topics(doc: Document) -> list[Topic]:
    text = _blank_punctuation(doc.normal.lower())  # as _normalise, on the spelling the document has already
    starts, ends = doc.sentence_starts, doc.sentence_ends
    per_sentence: dict[int, dict[int, int]] = {}  # sentence -> cue -> first offset
    for cue_id, start, end in _cue_occurrences(text):
        i = bisect_right(starts, start) - 1
        if i < 0 or end > ends[i]:
            continue  # outside any sentence, or running across a sentence end
        cues = per_sentence.get(i)
        if cues is None:
            per_sentence[i] = {cue_id: start}
        elif cue_id not in cues:
            cues[cue_id] = start
    asides = _aside_openings(text) if per_sentence else []
    totals: dict[str, float] = defaultdict(float)
    support: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
    for i, cues in per_sentence.items():
        start, end = starts[i], ends[i]
        sentence = doc.text[start:end]
        if _is_shouting(sentence):
            continue  # site menus and footers ("DỊCH VỤ CÔNG", "CHÍNH QUYỀN ĐIỆN TỬ ...")
        scores = _sentence_scores(text, start, cues, asides)
        if "hop_nhat_co_quan" in scores and _not_agencies_merged(doc, text, start, end, scores):
            scores.pop("hop_nhat_co_quan")
        factor = 0.5 if _is_short(sentence) else 1.0
        for topic, score in scores.items():
            contribution = min(score, _SENTENCE_CAP) * factor
            totals[topic] += contribution
            support[topic].append((contribution, start, end))
    topics = []
    for topic in TOPIC_IDS:
        # Passing words alone never make a topic: at least one sentence must carry a clear sign.
        if totals[topic] >= _THRESHOLD and max(c for c, _, _ in support[topic]) >= 1.0:
            best = sorted(support[topic], key=lambda x: (-x[0], x[1]))[:_MAX_EVIDENCE]
            evidence = [doc.evidence(s, e, RULE_OF_TOPIC[topic]) for _, s, e in sorted(best, key=lambda x: x[1])]
            topics.append(Topic(id=topic, evidence=evidence))
    doc.record("topics", topics)
    return topics


def _sentence_scores(text: str, start: int, cues: dict[int, int], asides: list[int]) -> dict[str, float]:
    """topic -> the weights of the sentence's cues (each cue once), halved for a cue given as an example."""
    scores: dict[str, float] = {}
    for cue_id, offset in cues.items():
        damp = 0.5 if asides and _is_aside(text, max(start, offset - 40), offset, asides) else 1.0
        for topic, weight in _CUE_TOPICS[cue_id]:
            scores[topic] = scores.get(topic, 0.0) + weight * damp
    return scores


def _is_short(sentence: str) -> bool:
    """Fewer than _SHORT_SENTENCE_WORDS words: split at most that many times less one, the last piece is the rest."""
    return len(sentence.split(None, _SHORT_SENTENCE_WORDS - 1)) < _SHORT_SENTENCE_WORDS


def _aside_openings(text: str) -> list[int]:
    """Where an aside phrase of _ASIDE is written in the text, in order."""
    return [m.start() for m in finditer_opening_with(_ASIDE_OPENING, _ASIDE_FIRST_WORDS, text)]


def _is_aside(text: str, start: int, end: int, openings: list[int]) -> bool:
    """An example given in passing ("điển hình như ...", "nhất là ...") right before the cue. Such a phrase opens in
    [start, end), where `openings` (`_aside_openings`) has a place; a stretch where none does is not searched."""
    i = bisect_left(openings, start)
    return i < len(openings) and openings[i] < end and _ASIDE.search(text, start, end) is not None


def _not_agencies_merged(doc: Document, text: str, start: int, end: int, scores: dict[str, float]) -> bool:
    """Whether the sentence merges places or service units rather than agencies (then `hop_nhat_co_quan` goes)."""
    places_merge = scores.get("sap_nhap_don_vi_hanh_chinh", 0) >= 2
    # Each verb pattern's match opens with a verb as written, and each place's with a place word: they are tried
    # there only. No merge verb: none of the verb patterns can match, and only the places test is left to run.
    verbs = _written_at(text, _MERGE_VERBS, start, end)
    if not verbs:
        return places_merge or _named_place(doc.normal, start, end)
    agencies = _matches_at(_AGENCY, text, verbs, end)
    places_merge = places_merge or _matches_at(_PLACES_MERGED, text, verbs, end) or _named_place(doc.normal, start, end)
    if places_merge and not agencies and not _AGENCY_MERGING.search(text, start, end):
        return True  # "hợp nhất tỉnh A và tỉnh B", "phường A sáp nhập với phường B": places merge, not agencies
    # Merging schools, health centres or other public service units is `don_vi_su_nghiep`; the
    # merged-agencies topic needs agencies (sở, ban, văn phòng).
    return not agencies and _matches_at(_SERVICE_UNITS_MERGED, text, verbs, end)


def _named_place(normal: str, start: int, end: int) -> bool:
    """`_NAMED_PLACE.search(normal, start, end) is not None`, tried only where a place word is written."""
    return _matches_at(_NAMED_PLACE, normal, _written_at(normal, _PLACE_WORDS, start, end), end)


def _written_at(text: str, words: tuple[str, ...], start: int, end: int) -> list[int]:
    """Where each of the words is written whole within text[start:end], in order."""
    places = []
    for word in words:
        at = text.find(word, start, end)
        while at != -1:
            places.append(at)
            at = text.find(word, at + 1, end)
    return sorted(places)


def _matches_at(pattern: re.Pattern, text: str, places: list[int], end: int) -> bool:
    """Whether the pattern matches text[:end] at one of the places (its look-behinds see the whole text)."""
    return any(pattern.match(text, at, end) is not None for at in places)


def _cue_occurrences(text: str) -> list[tuple[int, int, int]]:
    """(cue, start, end) for every cue in the normalised text (word characters and blanks only, as `_normalise` and
    `find_topics` make it).

    Pattern cues go first and claim their span, so a plain cue inside one ("sáp nhập" in
    "sáp nhập các thôn") does not also count for another topic; plain cues do not overlap.
    """
    found = _pattern_cue_matches(text)
    claimed = [(start, end) for _, start, end in found]
    merged = _union(claimed)
    merged_starts = [a for a, _ in merged]
    ids = _PLAIN_CUE_IDS
    spaced = " " + text  # a plain match is the blank before the cue, then the cue: its span less one is the cue's in text
    for m in _PLAIN_CUES.finditer(spaced):
        start, end = m.span()
        end -= 1
        if merged:
            i = bisect_right(merged_starts, start) - 1
            if i >= 0 and end <= merged[i][1]:
                continue
        cue = spaced[start + 1:end + 1]
        cue_id = ids.get(cue)
        found.append((ids[" ".join(cue.split())] if cue_id is None else cue_id, start, end))
    return found


def _pattern_cue_matches(text: str) -> list[tuple[int, int, int]]:
    """(cue, start, end) for every match of a pattern cue that opens a word, cue by cue. A cue is searched only when one
    of its gates is written in the text; the places of the gates' first words are found once (str.find) and shared by
    the cues: whether a gate is written is read at those places, and a cue whose leading words are known is tried at
    their places only."""
    places: dict[str, set[int]] = {}  # word -> where it is written (overlaps included)
    found: list[tuple[int, int, int]] = []
    for gates, leading_words, pattern, cue_id in _PATTERN_CUES:
        if not any(_is_written(text, gate, word, places) for gate, word in gates):
            continue
        if leading_words is None:
            matches = pattern.finditer(text)
        else:
            matches = finditer_at(pattern, set().union(*(_places(text, word, places) for word in leading_words)), text)
        for m in matches:
            start, end = m.span()
            if start and text[start - 1].isalnum():
                continue
            found.append((cue_id, start, end))
    return found


def _places(text: str, word: str, places: dict[str, set[int]]) -> set[int]:
    found = places.get(word)
    if found is None:
        found = places[word] = occurrences(text, (word,))
    return found


def _is_written(text: str, gate: str, word: str, places: dict[str, set[int]]) -> bool:
    """`gate in text`, read at the places of the gate's first word `word`."""
    at = _places(text, word, places)
    return bool(at) if gate == word else any(text.startswith(gate, i) for i in at)


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _is_shouting(sentence: str) -> bool:
    # Site menus and footers are set in capitals ("CHÍNH QUYỀN ĐIỆN TỬ"); article sentences are not.
    return unchanged_by_upper(sentence) and _SHOUTED_WORDS.search(sentence) is not None
