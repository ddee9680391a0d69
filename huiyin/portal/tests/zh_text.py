"""Find Chinese text on an English page that is not inside an element marked lang="zh" (test helper)."""

import re
from html.parser import HTMLParser

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


class Finder(HTMLParser):
    """Text with Chinese characters that is not inside an element marked lang="zh"."""

    def __init__(self):
        super().__init__()
        self.stack = []
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "input", "meta", "link", "hr", "source", "wbr"):
            a = dict(attrs)
            for key in ("placeholder", "alt", "title", "aria-label", "value"):
                inside_zh = bool(self.stack) and self.stack[-1]
                hidden = key == "value" and tag == "input" and a.get("type") == "hidden"
                if a.get(key) and CJK.search(a[key]) and not inside_zh and not hidden:
                    self.found.append(f"<{tag} {key}={a[key]!r}>")
            return
        a = dict(attrs)
        if a.get("lang"):
            self.stack.append(a["lang"].startswith("zh"))
        else:
            self.stack.append(bool(self.stack) and self.stack[-1])
        for key in ("title", "aria-label", "placeholder"):
            if a.get(key) and CJK.search(a[key]) and not self.stack[-1]:
                self.found.append(f"<{tag} {key}={a[key]!r}>")

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if CJK.search(data) and not (self.stack and self.stack[-1]):
            self.found.append(data.strip()[:80])


def chinese_outside_zh(html: str) -> list[str]:
    body = html.split("<body", 1)[-1]
    f = Finder()
    f.feed("<body" + body)
    return f.found
