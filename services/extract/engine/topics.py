"""Reform topics an article substantively discusses, scored from weighted cue phrases per sentence."""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict

from common import lexicon
from common.text import finditer_opening_with, listed_class, normalise, unchanged_by_upper
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

_ASIDE = re.compile(
    r"(?:điển\s+hình\s+như|chẳng\s+hạn\s+như|ví\s+dụ\s+như|nhất\s+là|kể\s+cả)\s+(?:\w+\s+){0,2}$"
)
_ASIDE_LAST_WORDS = ("như", "là", "cả")
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
_THRESHOLD = 2.0
_SENTENCE_CAP = 3.0
_SHORT_SENTENCE_WORDS = 7  # a bare list item split off by ";" counts half
_MAX_EVIDENCE = 5
# Punctuation: neither a word character nor a blank. Listed (`listed_class`), so the pass over the whole text
# looks each character up in a bitmap instead of reading its categories.
_PUNCTUATION = re.compile(listed_class(r"[^\w\s]"))
_WORD = re.compile(r"\w+")
_SHOUTED_WORDS = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")


def _normalise(text: str) -> str:
    """Lower case, new-style tone marks, punctuation as spaces; every character keeps its offset."""
    text = normalise(text).lower()
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
    plain_regex = re.compile(rf"\s(?P<cue>{literal_trie(list(cue_ids))})(?!\w)")
    compiled = []
    for phrase, topics in patterns.items():
        spaced = phrase.replace(" ", r"\s+")  # punctuation became spaces, so gaps may be wider
        # No leading lookbehind: a literal start lets the regex engine skip ahead fast; the word
        # boundary before the match is checked by the caller.
        regex = re.compile(rf"(?:{spaced})(?!\w)")
        gates = _gates(phrase)
        compiled.append((gates, _opening_words(phrase, gates), regex, len(cue_topics)))
        cue_topics.append(topics)
    return plain_regex, cue_ids, cue_topics, compiled


def _gates(pattern: str) -> tuple[str, ...]:
    """Literals one of which a pattern cue needs: its leading word, or each branch of a leading group."""
    group = re.match(r"\(\?:([^()]+)\)", pattern)
    if group:
        return tuple(branch.strip() for branch in group.group(1).split("|"))
    return (re.match(r"[^\\()?|]+", pattern).group(0).strip(),)


def _opening_words(phrase: str, gates: tuple[str, ...]) -> tuple[str, ...] | None:
    """The words every match of a pattern cue opens with: the first word of each gate, when the phrase opens with
    its gates unquantified (a gate's blanks may be any run of blanks in a match, its first word is written as it
    is) and has no alternative beside them. None when the phrase does not say so plainly, and when the words share
    their first letter: the regex engine then skips ahead to that letter itself, faster than str.find."""
    words = tuple(gate.split(" ", 1)[0] for gate in gates)
    if _has_top_level_bar(phrase) or not all(word and re.escape(word) == word for word in words):
        return None
    if len({word[0] for word in words}) == 1:
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
    text = _PUNCTUATION.sub(" ", doc.normal.lower())  # as _normalise, on the spelling the document has already
    sentences = doc.sentences()
    starts = [s for s, _, _ in sentences]
    per_sentence: dict[int, dict[int, int]] = defaultdict(dict)  # sentence -> cue -> first offset
    for cue_id, start, end in _cue_occurrences(text):
        i = bisect_right(starts, start) - 1
        if i < 0 or end > sentences[i][1]:
            continue  # outside any sentence, or running across a sentence end
        per_sentence[i].setdefault(cue_id, start)

    totals: dict[str, float] = defaultdict(float)
    support: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
    for i, cues in per_sentence.items():
        start, end, sentence = sentences[i]
        if _is_shouting(sentence):
            continue  # site menus and footers ("DỊCH VỤ CÔNG", "CHÍNH QUYỀN ĐIỆN TỬ ...")
        scores: dict[str, float] = defaultdict(float)
        for cue_id, offset in cues.items():
            damp = 0.5 if _is_aside(text, max(start, offset - 40), offset) else 1.0
            for topic, weight in _CUE_TOPICS[cue_id]:
                scores[topic] += weight * damp
        if "hop_nhat_co_quan" in scores and _not_agencies_merged(doc, text, start, end, scores):
            scores.pop("hop_nhat_co_quan")
        factor = 0.5 if len(sentence.split()) < _SHORT_SENTENCE_WORDS else 1.0
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


def _is_aside(text: str, start: int, end: int) -> bool:
    """An example given in passing ("điển hình như ...", "nhất là ...") right before the cue; each phrase of _ASIDE
    ends in one of _ASIDE_LAST_WORDS, so a stretch with none of them is not searched."""
    return any(text.find(word, start, end) != -1 for word in _ASIDE_LAST_WORDS) and \
        _ASIDE.search(text, start, end) is not None


def _not_agencies_merged(doc: Document, text: str, start: int, end: int, scores: dict[str, float]) -> bool:
    """Whether the sentence merges places or service units rather than agencies (then `hop_nhat_co_quan` goes)."""
    places_merge = scores.get("sap_nhap_don_vi_hanh_chinh", 0) >= 2
    if not any(text.find(verb, start, end) != -1 for verb in _MERGE_VERBS):
        # No merge verb: none of the verb patterns can match, and only the places test is left to run.
        return places_merge or _NAMED_PLACE.search(doc.normal, start, end) is not None
    agencies = _AGENCY.search(text, start, end) is not None
    places_merge = places_merge or _PLACES_MERGED.search(text, start, end) or _NAMED_PLACE.search(doc.normal, start, end)
    if places_merge and not agencies and not _AGENCY_MERGING.search(text, start, end):
        return True  # "hợp nhất tỉnh A và tỉnh B", "phường A sáp nhập với phường B": places merge, not agencies
    # Merging schools, health centres or other public service units is `don_vi_su_nghiep`; the
    # merged-agencies topic needs agencies (sở, ban, văn phòng).
    return not agencies and _SERVICE_UNITS_MERGED.search(text, start, end) is not None


def _cue_occurrences(text: str) -> list[tuple[int, int, int]]:
    """(cue, start, end) for every cue in the normalised text (word characters and blanks only, as `_normalise` and
    `find_topics` make it).

    Pattern cues go first and claim their span, so a plain cue inside one ("sáp nhập" in
    "sáp nhập các thôn") does not also count for another topic; plain cues do not overlap.
    """
    found: list[tuple[int, int, int]] = []
    claimed: list[tuple[int, int]] = []
    for gates, opening_words, pattern, cue_id in _PATTERN_CUES:
        if any(gate in text for gate in gates):
            matches = pattern.finditer(text) if opening_words is None else finditer_opening_with(pattern, opening_words, text)
            for m in matches:
                if m.start() and text[m.start() - 1].isalnum():
                    continue
                found.append((cue_id, m.start(), m.end()))
                claimed.append(m.span())
    merged = _union(claimed)
    merged_starts = [a for a, _ in merged]
    for m in _PLAIN_CUES.finditer(" " + text):
        start, end = m.start("cue") - 1, m.end("cue") - 1  # offsets in `text`, past the blank put before it
        i = bisect_right(merged_starts, start) - 1
        if i >= 0 and end <= merged[i][1]:
            continue
        found.append((_PLAIN_CUE_IDS[" ".join(m.group("cue").split())], start, end))
    return found


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
