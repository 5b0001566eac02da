"""A kept file sent back to the person who may read it: the pages and the API answer a download the same way."""
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from workflows import attachments
from workflows.models import Attachment

CHUNK = 64 * 1024


def attachment_response(attachment: Attachment, request) -> StreamingHttpResponse:
    """Stream the stored file as a download with the type its content was detected as, never shown in place.

    Under ASGI (the product's servers) the file is read chunk by chunk off the event loop: a FileResponse's
    synchronous file would be read whole into memory first. `nosniff` keeps a browser from taking it for anything
    else; `private, no-store` keeps a shared cache (a proxy of the province's network) from holding a copy of a
    document that is not everyone's.
    """
    opened = attachments.open_file(attachment)
    if isinstance(getattr(request, "_request", request), ASGIRequest):
        response = StreamingHttpResponse(_chunks(opened), content_type=attachment.content_type)
        response["Content-Length"] = str(attachment.size)
        response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
    else:
        response = FileResponse(opened, as_attachment=True, filename=attachment.original_name,
                                content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


async def _chunks(opened):
    try:
        while chunk := await sync_to_async(opened.read)(CHUNK):
            yield chunk
    finally:
        await sync_to_async(opened.close)()
