"""The API's error bodies: every refusal is JSON naming the rule, in Chinese and English."""
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from workflows.refusals import REFUSED, refusal_of

DRF_RULES = {
    exceptions.NotAuthenticated: ("not_authenticated", "请先登录 / authentication is required"),
    exceptions.AuthenticationFailed: ("authentication_failed", "认证失败 / authentication failed"),
    exceptions.PermissionDenied: ("role_required", "当前角色无权执行此操作 / your role may not do this"),
    exceptions.NotFound: ("not_found", "对象不存在或无权查看 / not found, or not yours to see"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持此请求方法 / method not allowed"),
    exceptions.ParseError: ("malformed_request", "请求体格式错误 / the request body is malformed"),
    exceptions.Throttled: ("throttled", "请求过于频繁 / too many requests"),
}


def exception_handler(exc, context):
    if isinstance(exc, REFUSED):
        refusal = refusal_of(exc)
        return Response(refusal.as_dict(), status=refusal.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"rule": "invalid_input",
                         "message": "输入有误 / the input is invalid", "fields": response.data}
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    for kind, (rule, message) in DRF_RULES.items():
        if isinstance(exc, kind):
            response.data = {"rule": rule, "message": message, "detail": str(exc.detail)}
            break
    return response
