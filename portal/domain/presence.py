"""When an accountant's working session counts as ended without a logout."""

from datetime import timedelta

# Open staff tabs beat every BEAT; after PRESENCE_TIMEOUT without a beat the session is
# over. Three beats per timeout, because browsers throttle hidden tabs' timers to about
# one a minute.
PRESENCE_TIMEOUT = timedelta(seconds=90)
BEAT = PRESENCE_TIMEOUT / 3
