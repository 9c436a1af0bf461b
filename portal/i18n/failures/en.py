"""Messages shown when a request fails (en)."""

MESSAGES: dict[str, str] = {
    'failure.unavailable.title': 'Temporarily unavailable',
    'failure.unavailable.text': 'The portal cannot reach its database right now. Nothing was saved – please try again in a few seconds.',
    'failure.unexpected.title': 'Something went wrong',
    'failure.unexpected.text': 'Please reload the page. If the problem persists, contact your firm.',
}
