from django.contrib import admin

from fairclaim.accounts.access import cases_for

from .models import Payment


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["case", "amount", "currency", "method", "status", "instalment_number"]
    list_filter = ["status", "method"]
    readonly_fields = ["provider_reference"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_platform_admin:
            return queryset
        return queryset.filter(case__in=cases_for(request.user))
