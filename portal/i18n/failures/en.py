"""Messages shown when a request fails (en)."""

MESSAGES: dict[str, str] = {
    'failure.unavailable.title': 'Temporarily unavailable',
    'failure.unavailable.text': 'The portal cannot reach its database right now. Nothing was saved – please try again in a few seconds.',
    'failure.unexpected.title': 'Something went wrong',
    'failure.unexpected.text': 'Please reload the page. If the problem persists, contact your firm.',
    'upload.error.storage_full': "The portal's storage is full. The file was not saved – please try again later or let your firm know.",
    'upload.error.not_saved': 'The file could not be saved. Nothing was stored – please try again.',
    'export.error.storage_full': "The portal's storage is full. The export was not created and no booking was marked as exported.",
}
