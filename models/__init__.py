"""Shipped models: the Norwegian base pipeline and the trained classifier.

This folder is installed as the package ``fritekst.models`` so that the models
travel with a wheel; see ``fritekst.nlp.base`` and ``fritekst.classify``.
"""
