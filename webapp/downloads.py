"""A kept file sent back to the person who may read it: the pages and the API answer a download the same way."""
from django.http import FileResponse

from workflows import attachments
from workflows.models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """Stream the stored file as a download with the type its content was detected as, never shown in place.

    `nosniff` keeps a browser from taking it for anything else; `private, no-store` keeps a shared cache (a
    proxy of the province's network) from holding a copy of a document that is not everyone's.
    """
    response = FileResponse(attachments.open_file(attachment), as_attachment=True,
                            filename=attachment.original_name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
