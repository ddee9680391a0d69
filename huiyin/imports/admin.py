from django.contrib import admin

from huiyin.imports.models import ImportBatch, ImportedCase


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "office",
        "state",
        "total_rows",
        "imported_rows",
        "skipped_rows",
        "created_at",
    )
    list_filter = ("state",)
    exclude = ("content",)  # the file holds petitioners' identity: never shown in the admin (SPEC §1.3)
    readonly_fields = [f.name for f in ImportBatch._meta.fields if f.name != "content"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ImportedCase)
class ImportedCaseAdmin(admin.ModelAdmin):
    list_display = ("source_key", "batch", "row_number", "case")
    search_fields = ("source_key",)
    readonly_fields = ("case", "batch", "source_key", "row_number")

    def has_add_permission(self, request: object) -> bool:
        return False
