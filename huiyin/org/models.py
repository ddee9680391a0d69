"""The organisation: territory tree, units, staff accounts and rule profiles (SPEC §3.1)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from huiyin.org.choices import Role, RuleKey, TerritoryLevel, UnitKind, ValueUnit


class Territory(models.Model):
    """A node of the administrative tree: province › city › county › township › village › grid."""

    code = models.CharField(max_length=20, unique=True, help_text="国家行政区划代码（已知时）")
    name = models.CharField(max_length=60)
    level = models.PositiveSmallIntegerField(choices=TerritoryLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes ("/43/4301/430102/"): a subtree is one indexed prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    rule_profile = models.ForeignKey(
        "RuleProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空则沿用上级区域的规则",
    )
    aliases = models.CharField(max_length=255, blank=True, help_text="别名，逗号分隔（用于地名识别）")

    class Meta:
        ordering = ["path"]
        verbose_name = "行政区域"
        verbose_name_plural = "行政区域"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.path = f"{self.parent.path if self.parent else '/'}{self.code}/"
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def ancestors(self) -> list[Territory]:
        codes = [c for c in self.path.strip("/").split("/") if c]
        by_code = {t.code: t for t in Territory.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]

    def effective_profile(self) -> RuleProfile:
        for node in reversed(self.ancestors()):
            if node.rule_profile_id:
                return RuleProfile.objects.get(pk=node.rule_profile_id)
        return RuleProfile.national()


class Unit(models.Model):
    """A party/government organ, department or office attached to a territory node (责任单位)."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=30, choices=UnitKind.choices)
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="units")
    # The organ one level above for 复查/复核 (条例 §35, §36) and for supervision chains.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    phone = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["territory__path", "code"]
        verbose_name = "单位"
        verbose_name_plural = "单位"

    def __str__(self) -> str:
        return self.name

    @property
    def is_petition_office(self) -> bool:
        return self.kind == UnitKind.PETITION_OFFICE


class User(AbstractUser):
    """A staff account: one role in one unit; sees what belongs to the unit (and below, if supervisory)."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    # 条例 §28¶3: matched against petitioners to warn of a conflict of interest; never shown in lists.
    id_number = models.CharField("身份证号", max_length=18, blank=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return f"{self.full_name or self.username}（{self.unit.name if self.unit else '无单位'}）"


class RuleProfile(models.Model):
    """A named set of rule values (national baseline or a province's), selectable per territory."""

    NATIONAL_CODE = "national"

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=60)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "规则配置"
        verbose_name_plural = "规则配置"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def national(cls) -> RuleProfile:
        return cls.objects.get(code=cls.NATIONAL_CODE)


class RuleValue(models.Model):
    """One rule value of a profile, with the article it comes from."""

    profile = models.ForeignKey(RuleProfile, on_delete=models.CASCADE, related_name="values")
    key = models.CharField(max_length=40, choices=RuleKey.choices)
    value = models.PositiveIntegerField()
    unit = models.CharField(max_length=20, choices=ValueUnit.choices)
    article = models.CharField(max_length=200, help_text="依据条款")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "key"], name="one_value_per_rule")]
        verbose_name = "规则值"
        verbose_name_plural = "规则值"

    def __str__(self) -> str:
        return f"{self.get_key_display()} = {self.value} {self.get_unit_display()}"


class ApiToken(models.Model):
    """A bearer token an integration uses to call the JSON API as one staff account (SPEC §3.10).

    Only the SHA-256 of the token is stored; the token itself is shown once, when issued. A token has
    a scope (what it may do, never more than its account's role allows) and an expiry.
    """

    class Scope(models.TextChoices):
        READ = "read", "只读（仅 GET）"
        INTAKE = "intake", "登记（GET 与 POST /api/cases）"
        FULL = "full", "完整（账号岗位允许的一切）"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=80)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False, help_text="令牌前几位，便于辨认")
    scope = models.CharField("权限范围", max_length=10, choices=Scope.choices, default=Scope.FULL)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("有效期至")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"


class RoleSignInPolicy(models.Model):
    """Whether staff of one role must sign in with a second factor (SPEC §4: 2FA for staff).

    Set by an administrator in the admin; a role without a row does not require it. An account that
    has enrolled a device is always asked for a code, whatever its role's policy."""

    role = models.CharField(max_length=20, choices=Role.choices, unique=True)
    require_two_factor = models.BooleanField("要求两步验证", default=False)

    class Meta:
        ordering = ["role"]
        verbose_name = "岗位登录要求"
        verbose_name_plural = "岗位登录要求"

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{'要求' if self.require_two_factor else '不要求'}两步验证"


class ResponsibilityRule(models.Model):
    """谁主管、谁负责 as data: (subject category, territory level) → the competent kind of unit.

    A rule with a territory applies to that territory and below (a local override); a rule without a
    category applies to every subject. The most specific rule wins (routing.suggest_unit)."""

    category = models.ForeignKey(
        "cases.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="空＝所有分类",
    )
    territory = models.ForeignKey(
        Territory,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="空＝全辖区；填写则仅对该区域及其下级生效（属地例外）",
    )
    level = models.PositiveSmallIntegerField("主管层级", choices=TerritoryLevel.choices)
    unit_kind = models.CharField("主管单位类型", max_length=30, choices=UnitKind.choices)
    note = models.CharField("依据或说明", max_length=200, blank=True)

    class Meta:
        ordering = ["territory__path", "category__full_name"]
        verbose_name = "职责对应规则"
        verbose_name_plural = "职责对应规则"

    def __str__(self) -> str:
        return f"{self.category or '所有分类'} → {self.get_level_display()}{self.get_unit_kind_display()}"
