"""The app's stylesheet, each CSS source parsed once per set of theme variables.

Textual re-reads its styles from scratch whenever a screen is first opened (twice:
once as the screen is made, once as it is shown), parsing every CSS source of the
app again: two thirds of the time between the key that opens a screen and its first
frame. A source's rules depend only on its text, where it came from and the theme's
variables, so ``SharedParseStylesheet`` keeps them, for every stylesheet of the
process, and a reparse parses only what is new.
"""

from __future__ import annotations

from collections import OrderedDict

from textual.css.stylesheet import CSSLocation, RuleSet, Stylesheet

CACHED_SOURCES = 1024  # a source per widget class and theme: far more than the app has

_parsed: OrderedDict[tuple, list[RuleSet]] = OrderedDict()


class SharedParseStylesheet(Stylesheet):
    """A Textual stylesheet whose parsed sources outlive a reparse."""

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self._variables_key = _key(self._variables)

    def set_variables(self, variables: dict[str, str]) -> None:
        super().set_variables(variables)
        self._variables_key = _key(self._variables)

    def _parse_rules(self, css: str, read_from: CSSLocation, is_default_rules: bool = False,
                     tie_breaker: int = 0, scope: str = "") -> list[RuleSet]:
        key = (css, read_from, is_default_rules, tie_breaker, scope, self._variables_key)
        rules = _parsed.get(key)
        if rules is None:
            rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
            _parsed[key] = rules
            if len(_parsed) > CACHED_SOURCES:
                _parsed.popitem(last=False)
        return rules

    def copy(self) -> SharedParseStylesheet:
        stylesheet = SharedParseStylesheet(variables=self._variables.copy())
        stylesheet.source = self.source.copy()
        return stylesheet

    def reparse(self) -> None:
        """Textual's reparse (into a fresh stylesheet, so an error leaves this one
        whole), with the parsed sources kept."""
        stylesheet = SharedParseStylesheet(variables=self._variables)
        for read_from, (css, is_defaults, tie_breaker, scope) in self.source.items():
            stylesheet.add_source(css, read_from=read_from, is_default_css=is_defaults,
                                  tie_breaker=tie_breaker, scope=scope)
        try:
            stylesheet.parse()
        except Exception:
            self._invalid_css.update(stylesheet._invalid_css)
            raise
        self._rules = stylesheet.rules
        self._rules_map = None
        self.source = stylesheet.source
        self._require_parse = False


def _key(variables: dict[str, str]) -> tuple:
    return tuple(sorted(variables.items()))
