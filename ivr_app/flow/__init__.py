"""The flow language: YAML read with line marks (source), its schema (spec), the node types
(nodes, one module each, registered in one table), the checks that refuse a flow with no
way out (validate, composed from checker and the *_rules modules, their messages worded in
English and Spanish by wording), the validated model the engine plays (model), the
versions a process serves (registry), and its diagram.

May import: ivr_app.platform, and speech (to check phrases against a model's words).
"""
