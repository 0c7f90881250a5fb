"""What every other part stands on: settings, the clock, Twilio's signature check and REST
client, and the local Redis server with the `up` launcher.

May import: nothing else of this repository.
"""
