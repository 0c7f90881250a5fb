"""The JSON API for agents and supervisors (bearer token). The top of the house: it may
import any other part of ivr_app, and nothing imports it but create_app.
"""
