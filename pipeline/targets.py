"""The three estimators of a model, by key: what each predicts, from which text, and whether it learns from the
taxonomy. A module of its own so that comparing metrics or loading a model does not import the fitting code."""

# key -> (target, text column, learns from the taxonomy); the opinion-only response model learns from the opinion's
# words alone (the reply phrases are no evidence about an opinion)
ESTIMATORS = {
    "theme": ("theme", "opinion", True),
    "response_type": ("response_type", "response", True),
    "response_type_from_opinion": ("response_type", "opinion", False),
}
