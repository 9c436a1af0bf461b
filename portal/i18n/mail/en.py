"""Email messages (en)."""

MESSAGES: dict[str, str] = {
    "mail.greeting": "Hello {name},",
    "mail.greeting_anonymous": "Hello,",
    "mail.signoff": "Kind regards,",
    "mail.button_fallback": (
        "If the button does not work, please copy this link into your browser's address bar:"
    ),
    "mail.footer": "This email was sent automatically by the {firm_name} client portal.",
    "mail.password_reset.subject": "Reset your password – {firm_name} client portal",
    "mail.password_reset.intro": (
        "We have received a request to reset the password for your {firm_name} client portal account."
    ),
    "mail.password_reset.action": "You can choose a new password using the following link:",
    "mail.password_reset.button": "Choose a new password",
    "mail.password_reset.validity": "The link is valid for {minutes} minutes.",
    "mail.password_reset.ignore": (
        "If you did not request this, you can ignore this email. "
        "Your current password will remain unchanged."
    ),
    'mail.talk_batch.subject': '{firm_name}: new messages in your client portal',
    'mail.talk_batch.intro': '{firm_name} has written to you in the client portal. Unread messages: {count}.',
    'mail.talk_batch.action': 'Please open the portal to answer or upload receipts:',
    'mail.talk_batch.button': 'Open the client portal',
    'mail.client_messages.subject': 'News from clients ({total})',
    'mail.client_messages.intro': 'unread messages from clients are waiting in the {firm_name} client portal: {count}.',
    'mail.client_messages.line': '{client}: {count} unread',
    'mail.client_messages.action': 'The inbox shows what is waiting for your answer:',
    'mail.client_messages.button': 'Open the inbox',
    'mail.client_messages.settings': 'You can switch these notices off in your profile.',
    'mail.talk_batch.documents': 'New documents for you: {documents}. After logging in you find them under “Documents”.',
    'mail.client_messages.intro_documents': 'Clients uploaded new documents: {documents}.',
    'mail.client_messages.line_documents': '{client} – new documents: {documents}',
    'mail.upload_request.subject': '{firm_name} asks you for files',
    'mail.upload_request.intro': '{firm_name} asks you to upload files through a secure link.',
    'mail.upload_request.message': 'Message from {firm_name}:',
    'mail.upload_request.action': 'The button takes you to the upload page. You need no account or password.',
    'mail.upload_request.button': 'Upload files',
    'mail.upload_request.validity': 'The link is valid up to and including {date}.',
    'mail.upload_request.privacy': 'The link only lets you send files; no documents can be viewed through it. If you did not expect this email, you can ignore it.',
    'mail.digest.subject': 'Your client digest for {date}',
    'mail.digest.intro': 'here is your digest from the {firm_name} client portal. Clients with open points: {count}.',
    'mail.digest.open_questions': 'Open questions: {count}',
    'mail.digest.missing_receipts': 'Missing receipts: {count}',
    'mail.digest.export_ready': 'Ready to export: {count}',
    'mail.digest.unanswered': 'Awaiting your reply: {count}',
    'mail.digest.more': 'More clients with open points: {count}. You find them on the clients page.',
    'mail.digest.legend': '“Awaiting your reply” counts questions, conversations and arrivals from file requests whose last message came from outside the firm. “Ready to export” counts bookings not yet exported that have their receipt and no open question.',
    'mail.digest.action': 'All clients at a glance:',
    'mail.digest.button': 'Open the clients page',
    'mail.digest.settings': 'Change how often you get this digest, or stop it:',
    'mail.digest.settings_link': 'Go to your profile',
    'mail.questionnaire.subject': '{firm_name}: please fill in the questionnaire “{title}”',
    'mail.questionnaire.intro': '{sender} of {firm_name} asks you to fill in a questionnaire on the client portal:',
    'mail.questionnaire.action': 'Your answers are saved as you go, so you can stop at any time and continue later.',
    'mail.questionnaire.button': 'Open the questionnaire',
    'mail.questionnaire.login': 'To open it, please sign in with your email address and password.',
}
