/**
 * The hand-written vim25 WSDL subset this client needs: exactly the operations called through `soap` and the
 * types of their arguments (document/literal, namespace urn:vim25, messages `<Op>RequestMsg`/`<Op>ResponseMsg`).
 * vcsim serves no WSDL and a real vCenter's full WSDL costs ~1 s and ~160 MB per client, so we ship our own,
 * embedded as a string so the single-file module executables carry it. Responses are read with xml.ts.
 */
export const VIM25_WSDL = `<?xml version="1.0" encoding="UTF-8"?>
<definitions targetNamespace="urn:vim25" xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:vim25="urn:vim25">
  <types>
    <xsd:schema targetNamespace="urn:vim25" elementFormDefault="qualified">
      <xsd:complexType name="ManagedObjectReference">
        <xsd:simpleContent>
          <xsd:extension base="xsd:string">
            <xsd:attribute name="type" type="xsd:string"/>
          </xsd:extension>
        </xsd:simpleContent>
      </xsd:complexType>
      <xsd:complexType name="VirtualMachineConfigSpec">
        <xsd:sequence>
          <xsd:element name="changeTrackingEnabled" type="xsd:boolean" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="DiskChangeExtent">
        <xsd:sequence>
          <xsd:element name="start" type="xsd:long"/>
          <xsd:element name="length" type="xsd:long"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="DiskChangeInfo">
        <xsd:sequence>
          <xsd:element name="startOffset" type="xsd:long"/>
          <xsd:element name="length" type="xsd:long"/>
          <xsd:element name="changedArea" type="vim25:DiskChangeExtent" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:element name="CreateSnapshot_Task">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
            <xsd:element name="name" type="xsd:string" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="description" type="xsd:string" minOccurs="0" maxOccurs="1"/>
            <xsd:element name="memory" type="xsd:boolean" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="quiesce" type="xsd:boolean" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="CreateSnapshot_TaskResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:ManagedObjectReference" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="RemoveSnapshot_Task">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
            <xsd:element name="removeChildren" type="xsd:boolean" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="consolidate" type="xsd:boolean" minOccurs="0" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="RemoveSnapshot_TaskResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:ManagedObjectReference" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="ReconfigVM_Task">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
            <xsd:element name="spec" type="vim25:VirtualMachineConfigSpec" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="ReconfigVM_TaskResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:ManagedObjectReference" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="PowerOnVM_Task">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
            <xsd:element name="host" type="vim25:ManagedObjectReference" minOccurs="0" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="PowerOnVM_TaskResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:ManagedObjectReference" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="PowerOffVM_Task">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="PowerOffVM_TaskResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:ManagedObjectReference" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="ShutdownGuest">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="ShutdownGuestResponse">
        <xsd:complexType/>
      </xsd:element>
      <xsd:element name="QueryChangedDiskAreas">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
            <xsd:element name="snapshot" type="vim25:ManagedObjectReference" minOccurs="0" maxOccurs="1"/>
            <xsd:element name="deviceKey" type="xsd:int" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="startOffset" type="xsd:long" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="changeId" type="xsd:string" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="QueryChangedDiskAreasResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:DiskChangeInfo" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </types>
  <message name="CreateSnapshot_TaskRequestMsg">
    <part name="parameters" element="vim25:CreateSnapshot_Task"/>
  </message>
  <message name="CreateSnapshot_TaskResponseMsg">
    <part name="parameters" element="vim25:CreateSnapshot_TaskResponse"/>
  </message>
  <message name="RemoveSnapshot_TaskRequestMsg">
    <part name="parameters" element="vim25:RemoveSnapshot_Task"/>
  </message>
  <message name="RemoveSnapshot_TaskResponseMsg">
    <part name="parameters" element="vim25:RemoveSnapshot_TaskResponse"/>
  </message>
  <message name="ReconfigVM_TaskRequestMsg">
    <part name="parameters" element="vim25:ReconfigVM_Task"/>
  </message>
  <message name="ReconfigVM_TaskResponseMsg">
    <part name="parameters" element="vim25:ReconfigVM_TaskResponse"/>
  </message>
  <message name="PowerOnVM_TaskRequestMsg">
    <part name="parameters" element="vim25:PowerOnVM_Task"/>
  </message>
  <message name="PowerOnVM_TaskResponseMsg">
    <part name="parameters" element="vim25:PowerOnVM_TaskResponse"/>
  </message>
  <message name="PowerOffVM_TaskRequestMsg">
    <part name="parameters" element="vim25:PowerOffVM_Task"/>
  </message>
  <message name="PowerOffVM_TaskResponseMsg">
    <part name="parameters" element="vim25:PowerOffVM_TaskResponse"/>
  </message>
  <message name="ShutdownGuestRequestMsg">
    <part name="parameters" element="vim25:ShutdownGuest"/>
  </message>
  <message name="ShutdownGuestResponseMsg">
    <part name="parameters" element="vim25:ShutdownGuestResponse"/>
  </message>
  <message name="QueryChangedDiskAreasRequestMsg">
    <part name="parameters" element="vim25:QueryChangedDiskAreas"/>
  </message>
  <message name="QueryChangedDiskAreasResponseMsg">
    <part name="parameters" element="vim25:QueryChangedDiskAreasResponse"/>
  </message>
  <portType name="VimPortType">
    <operation name="CreateSnapshot_Task">
      <input message="vim25:CreateSnapshot_TaskRequestMsg"/>
      <output message="vim25:CreateSnapshot_TaskResponseMsg"/>
    </operation>
    <operation name="RemoveSnapshot_Task">
      <input message="vim25:RemoveSnapshot_TaskRequestMsg"/>
      <output message="vim25:RemoveSnapshot_TaskResponseMsg"/>
    </operation>
    <operation name="ReconfigVM_Task">
      <input message="vim25:ReconfigVM_TaskRequestMsg"/>
      <output message="vim25:ReconfigVM_TaskResponseMsg"/>
    </operation>
    <operation name="PowerOnVM_Task">
      <input message="vim25:PowerOnVM_TaskRequestMsg"/>
      <output message="vim25:PowerOnVM_TaskResponseMsg"/>
    </operation>
    <operation name="PowerOffVM_Task">
      <input message="vim25:PowerOffVM_TaskRequestMsg"/>
      <output message="vim25:PowerOffVM_TaskResponseMsg"/>
    </operation>
    <operation name="ShutdownGuest">
      <input message="vim25:ShutdownGuestRequestMsg"/>
      <output message="vim25:ShutdownGuestResponseMsg"/>
    </operation>
    <operation name="QueryChangedDiskAreas">
      <input message="vim25:QueryChangedDiskAreasRequestMsg"/>
      <output message="vim25:QueryChangedDiskAreasResponseMsg"/>
    </operation>
  </portType>
  <binding name="VimBinding" type="vim25:VimPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="CreateSnapshot_Task">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="RemoveSnapshot_Task">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="ReconfigVM_Task">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="PowerOnVM_Task">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="PowerOffVM_Task">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="ShutdownGuest">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="QueryChangedDiskAreas">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
  </binding>
  <service name="VimService">
    <port name="VimPort" binding="vim25:VimBinding">
      <soap:address location="https://localhost/sdk"/>
    </port>
  </service>
</definitions>
`;
