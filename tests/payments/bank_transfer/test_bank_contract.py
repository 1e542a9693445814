"""The shared provider contract, kept by bank transfer (money through imported camt.053
statements quoting the case reference)."""

from django.utils import timezone

from fairclaim.payments.models import Payment
from fairclaim.payments.providers.bank_transfer.backend import import_statement
from tests.payments.contract import PaymentProviderContract

from .camt import Entry, camt053


class TestBankTransferKeepsTheProviderContract(PaymentProviderContract):
    method = Payment.Method.BANK_TRANSFER

    def deliver(self, payment, amount, key):
        reference = payment.case.reference.lower().replace("-", " ")
        data = camt053([Entry(str(amount), [f"Zahlung {reference}"], ref=f"ref-{key}")])
        import_statement(data, f"{key}.xml", now=timezone.now())

    def test_instructions_quote_the_case_reference(self, plan):
        start = self.start(plan[1])
        assert start.instructions["reference"] == plan[1].case.reference
        assert start.instructions["amount"] == "150.00"
        assert start.instructions["iban"]
