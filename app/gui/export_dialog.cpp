#include "app/gui/export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QClipboard>
#include <QGuiApplication>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace attnscope::gui {

widgets::FigureSize default_figure_size(int panels) {
  if (panels <= 1) return widgets::FigureSize::column();
  auto size = widgets::FigureSize::page();
  size.height_mm = size.width_mm / panels + 20;  // room for the title and the key labels
  return size;
}

FigureChoice default_figure_choice(int panels) { return {default_figure_size(panels), 7, false, false}; }

std::optional<FigureChoice> ask_figure_choice(QWidget* parent, int panels,
                                              const std::function<QString(const FigureChoice&)>& command_for) {
  QDialog dialog(parent);
  dialog.setWindowTitle(QObject::tr("Export figure"));
  dialog.setObjectName("export_dialog");
  auto* form = new QFormLayout(&dialog);
  auto* preset = new QComboBox(&dialog);
  preset->addItems({QObject::tr("Paper column (85 mm)"), QObject::tr("Full page width (178 mm)"), QObject::tr("Custom")});
  auto* width = new QDoubleSpinBox(&dialog);
  auto* height = new QDoubleSpinBox(&dialog);
  for (auto* box : {width, height}) {
    box->setRange(20, 500);
    box->setSuffix(" mm");
    box->setDecimals(1);
  }
  auto* font = new QDoubleSpinBox(&dialog);
  font->setRange(4, 14);
  font->setDecimals(1);
  font->setSingleStep(0.5);
  font->setSuffix(" pt");
  auto* marks = new QCheckBox(QObject::tr("Mark sharp transitions"), &dialog);
  auto* zoomed = new QCheckBox(QObject::tr("Only the zoomed region"), &dialog);
  auto* dpi = new QSpinBox(&dialog);
  dpi->setRange(72, 1200);
  dpi->setSuffix(" dpi");
  // Wrapped, so the whole line shows however long the session's path is.
  auto* command = new QPlainTextEdit(&dialog);
  command->setObjectName("export_command_line");
  command->setReadOnly(true);
  command->setMinimumWidth(420);
  command->setFixedHeight(command->fontMetrics().lineSpacing() * 4 + 10);
  auto* copy = new QPushButton(QObject::tr("Copy"), &dialog);
  QObject::connect(copy, &QPushButton::clicked, &dialog, [command] { QGuiApplication::clipboard()->setText(command->toPlainText()); });
  form->addRow(QObject::tr("Size"), preset);
  form->addRow(QObject::tr("Width"), width);
  form->addRow(QObject::tr("Height"), height);
  const bool map_figure = static_cast<bool>(command_for);
  if (map_figure) {
    form->addRow(QObject::tr("Font"), font);
    form->addRow(QString(), marks);
    form->addRow(QString(), zoomed);
  }
  form->addRow(QObject::tr("PNG resolution"), dpi);
  if (map_figure) {
    form->addRow(QObject::tr("Same from the CLI"), command);
    form->addRow(QString(), copy);
  } else {
    font->hide(), marks->hide(), zoomed->hide(), command->hide(), copy->hide();
    height->setEnabled(false);  // the grid keeps its own shape
  }
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  form->addRow(buttons);
  QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);

  const auto choice = [=] {
    return FigureChoice{{width->value(), height->value(), dpi->value()}, font->value(), marks->isChecked(), zoomed->isChecked()};
  };
  const auto update_command = [=] {
    if (!command_for) return;
    const QString line = command_for(choice());
    command->setPlainText(line.isEmpty() ? QObject::tr("(no single command: these panels come from the live run)") : line);
    copy->setEnabled(!line.isEmpty());
  };
  // Several panels side by side want the page width; one head a column.
  const auto apply_preset = [=](int index) {
    if (index == 2) return;
    const auto size = default_figure_size(index == 0 ? 1 : std::max(2, panels));
    width->setValue(size.width_mm);
    height->setValue(index == 1 && panels <= 1 ? widgets::FigureSize::page().height_mm : size.height_mm);
    update_command();
  };
  QObject::connect(preset, &QComboBox::activated, &dialog, apply_preset);
  for (auto* box : {width, height})
    QObject::connect(box, &QDoubleSpinBox::editingFinished, &dialog, [=] {
      preset->setCurrentIndex(2);
      update_command();
    });
  QObject::connect(font, &QDoubleSpinBox::valueChanged, &dialog, update_command);
  QObject::connect(dpi, &QSpinBox::valueChanged, &dialog, update_command);
  for (auto* box : {marks, zoomed}) QObject::connect(box, &QCheckBox::toggled, &dialog, update_command);
  QSettings settings;
  dpi->setValue(settings.value("export/dpi", 300).toInt());
  font->setValue(settings.value("export/font_pt", 7.0).toDouble());
  marks->setChecked(settings.value("export/marks", false).toBool());
  zoomed->setChecked(settings.value("export/zoomed", false).toBool());
  preset->setCurrentIndex(panels > 1 ? 1 : 0);
  apply_preset(preset->currentIndex());
  if (dialog.exec() != QDialog::Accepted) return std::nullopt;
  settings.setValue("export/dpi", dpi->value());
  settings.setValue("export/font_pt", font->value());
  settings.setValue("export/marks", marks->isChecked());
  settings.setValue("export/zoomed", zoomed->isChecked());
  return choice();
}

}  // namespace attnscope::gui
